"""Listing articles: filters, search, and keyset pages that neither repeat nor skip."""

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from itsdangerous import TimestampSigner
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Forbidden
from app.pagination import clamp_limit, limit_asked
from tests import factories

BASE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
# The statement that lists a topic's articles.
LISTING = "FROM articles JOIN article_topics"


def at(hours: int) -> str:
    return (BASE + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


async def walk(client: httpx.AsyncClient, url: str, **params: str | int) -> list[str]:
    """Every id across every page of a list."""
    ids: list[str] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(url, params=query)).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


async def test_newest_first_with_ties_broken_by_id(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    ids = [await factories.create_article(session, published_at=at(h)) for h in (1, 3, 2)]
    tied = [await factories.create_article(session, published_at=at(5)) for _ in range(3)]
    listed = [i["id"] for i in (await client.get("/v1/articles")).json()["items"]]
    assert listed == [*sorted(tied, reverse=True), ids[1], ids[2], ids[0]]


async def test_summary_form_has_no_body(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await factories.create_article(session)
    item = (await client.get("/v1/articles")).json()["items"][0]
    assert "body" not in item
    assert {"headline", "topics", "authors", "image", "reading_time_minutes"} <= set(item)


async def test_pages_cover_everything_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    created = {await factories.create_article(session, published_at=at(h % 7)) for h in range(23)}
    ids = await walk(client, "/v1/articles", limit=5)
    assert len(ids) == 23
    assert set(ids) == created


async def test_paging_a_topic_while_articles_arrive(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for hour in range(12):
        await factories.create_article(session, published_at=at(hour), topics=["Energy"])
    first = (await client.get("/v1/articles", params={"topic": "energy", "limit": 5})).json()
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    arrivals = 0
    while cursor:
        # New stories land between page requests: newer than everything, and one in the past.
        await factories.create_article(session, published_at=at(100 + arrivals), topics=["Energy"])
        arrivals += 1
        page = (
            await client.get(
                "/v1/articles", params={"topic": "energy", "limit": 5, "cursor": cursor}
            )
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 12


async def test_a_topic_page_is_made_once_per_feed_version(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    editor: factories.Account,
    settings: Settings,
    executed: list[str],
) -> None:
    first = await factories.create_article(session, topics=["Energy"], published_at=at(1))

    def listings() -> int:
        return sum(1 for s in executed if s.startswith("SELECT") and LISTING in s)

    async def ids(**params: str) -> list[str]:
        response = await client.get("/v1/articles", params=params)
        assert response.status_code == 200
        return [item["id"] for item in response.json()["items"]]

    executed.clear()
    for _ in range(3):
        assert await ids(topic="energy") == [first]
    assert listings() == 1
    # Other filters beside the topic are not kept: each such page is made afresh.
    for _ in range(2):
        assert await ids(topic="energy", language="en") == [first]
    assert listings() == 3

    # Filed elsewhere: this worker's page follows once it reads the topic again.
    elsewhere = await factories.create_article(session, topics=["Energy"], published_at=at(2))
    assert await ids(topic="energy") == [first]
    app.state.feed_topics.expire(time.monotonic() + settings.feed_topic_cache_seconds)
    assert await ids(topic="energy") == [elsewhere, first]

    # Filed through this worker: at once, gzip-coded for clients that take it.
    published = await client.post(
        "/v1/articles",
        headers=editor.headers,
        json=factories.article_payload(topics=["Energy"], published_at=at(3)),
    )
    assert published.status_code == 201
    response = await client.get(
        "/v1/articles", params={"topic": "energy"}, headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"
    listed = [item["id"] for item in response.json()["items"]]
    assert listed == [published.json()["id"], elsewhere, first]


# Differ between any two responses, wherever they are answered.
PER_RESPONSE_HEADERS = {"date", "ratelimit", "x-ratelimit-remaining", "x-ratelimit-reset"}


def without_per_response(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in PER_RESPONSE_HEADERS}


@pytest.mark.parametrize("coding", ["gzip", "identity"])
async def test_a_kept_topic_page_is_answered_before_routing_as_the_route_answers_it(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    reader: factories.Account,
    coding: str,
) -> None:
    for hour in range(25):
        await factories.create_article(session, topics=["Energy"], published_at=at(hour))
    _, secret = await factories.create_api_key(session)

    def refused() -> None:
        raise Forbidden("routed")

    async def listing(params: dict[str, str], headers: dict[str, str]) -> httpx.Response:
        return await client.get("/v1/articles", params=params, headers=headers)

    first_pages = []
    for caller in ({}, {"X-API-Key": secret}):
        for params in ({"topic": "energy"}, {"topic": "energy", "limit": "5"}):
            headers = {"Accept-Encoding": coding, **caller}
            # Not knowing the topic's version, this worker routes the request.
            app.state.feed_topics.forget()
            app.dependency_overrides.clear()
            routed = await listing(params, headers)
            assert routed.status_code == 200
            app.dependency_overrides[clamp_limit] = refused
            early = await listing(params, headers)
            assert early.status_code == 200, early.text
            assert early.content == routed.content
            assert without_per_response(early) == without_per_response(routed)
            # Counted against the caller, as the route counts it.
            assert int(early.headers["x-ratelimit-remaining"]) == (
                int(routed.headers["x-ratelimit-remaining"]) - 1
            )
            first_pages.append(routed)
    assert [len(r.json()["items"]) for r in first_pages[:2]] == [20, 5]

    # Anything else goes to the routes: other filters, cursors, pages not kept, keys not
    # verified here, unknown topics, and users (whose pages carry their own cursors).
    for params, caller in (
        ({"topic": "energy"}, reader.headers),
        ({"topic": "energy", "section": "World"}, {}),
        ({"topic": "energy", "cursor": first_pages[0].json()["next_cursor"]}, {}),
        ({"topic": "energy", "limit": "7"}, {}),
        ({"topic": "energy", "limit": "0"}, {}),
        ({"topic": "energy"}, {"X-API-Key": "mnk_not-a-real-key"}),  # 401 there
        ({"topic": "no-such-topic"}, {}),
        ({"topic": "Energy"}, {}),
    ):
        assert (await listing(params, caller)).status_code in (401, 403, 422), params


@pytest.mark.parametrize(
    ("values", "read"),
    [
        ([], 20),
        (["5"], 5),
        (["500"], 100),
        (["1000000"], 100),
        # Refused by the routes, or perhaps read otherwise: decided there.
        (["0"], None),
        (["1000001"], None),
        (["05"], None),
        (["+5"], None),
        (["5.0"], None),
        (["\u0665"], None),  # an Arabic-Indic five
        (["5", "6"], None),
        ([""], None),
    ],
)
def test_limit_read_before_routing_only_when_plainly_written(
    values: list[str], read: int | None
) -> None:
    assert limit_asked(values, 20) == read


@pytest.mark.parametrize("limit", ["0", "-1", "abc"])
async def test_bad_limit_is_422(client: httpx.AsyncClient, limit: str) -> None:
    assert (await client.get("/v1/articles", params={"limit": limit})).status_code == 422


async def test_limit_is_clamped_to_100(client: httpx.AsyncClient, session: AsyncSession) -> None:
    for _ in range(101):
        await factories.create_article(session)
    page = (await client.get("/v1/articles", params={"limit": 1000})).json()
    assert len(page["items"]) == 100
    assert page["next_cursor"] is not None


async def test_default_limit_is_20(client: httpx.AsyncClient, session: AsyncSession) -> None:
    for _ in range(21):
        await factories.create_article(session)
    assert len((await client.get("/v1/articles")).json()["items"]) == 20


async def test_tampered_or_foreign_cursor_is_400(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for _ in range(3):
        await factories.create_article(session, topics=["Energy"])
    cursor = (await client.get("/v1/articles", params={"limit": 1})).json()["next_cursor"]
    for bad in (factories.tampered(cursor), "garbage", cursor + "x", ""):
        response = await client.get("/v1/articles", params={"limit": 1, "cursor": bad})
        assert response.status_code in (400, 422), bad
        if bad:
            assert response.status_code == 400
            assert response.headers["content-type"] == "application/problem+json"
    # A cursor is bound to its filters: replaying it on another query is refused.
    other = await client.get(
        "/v1/articles", params={"limit": 1, "cursor": cursor, "topic": "energy"}
    )
    assert other.status_code == 400
    topics_cursor = await client.get("/v1/topics", params={"cursor": cursor})
    assert topics_cursor.status_code == 400


@pytest.mark.parametrize(
    "params",
    [{"limit": "1"}, {"topic": "energy", "limit": "1"}, {"topic": "energy"}],
    ids=["all", "topic-page", "kept-topic-page"],
)
async def test_a_cursor_is_bound_to_its_caller(
    client: httpx.AsyncClient,
    session: AsyncSession,
    reader: factories.Account,
    other_reader: factories.Account,
    params: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A cursor carries the second it was signed in: pages made either side of a second's
    # turn would differ in it alone.
    signed_at = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _: signed_at)
    for _ in range(25):
        await factories.create_article(session, topics=["Energy"])
    _, secret = await factories.create_api_key(session)
    _, other_secret = await factories.create_api_key(session, name="Other partner")
    callers = {
        "anonymous": {},
        "reader": reader.headers,
        "other reader": other_reader.headers,
        "partner": {"X-API-Key": secret},
        "other partner": {"X-API-Key": other_secret},
    }
    cursors: dict[str, str] = {}
    for name, headers in callers.items():
        # Twice: the second may be answered from what the first left (kept pages).
        for _ in range(2):
            page = await client.get("/v1/articles", params=params, headers=headers)
            assert page.status_code == 200
            cursors.setdefault(name, page.json()["next_cursor"])
            assert page.json()["next_cursor"] == cursors[name]
    for issued_to, cursor in cursors.items():
        for name, headers in callers.items():
            response = await client.get(
                "/v1/articles", params={**params, "cursor": cursor}, headers=headers
            )
            if name == issued_to:
                assert response.status_code == 200, (issued_to, name)
            else:
                assert response.status_code == 400, (issued_to, name)
                assert "another list, query or caller" in response.json()["detail"]
    # A token that is not valid (expired, say) makes no caller of its own: it is refused.
    expired = {"Authorization": "Bearer not-a-token"}
    anonymous = {**params, "cursor": cursors["anonymous"]}
    assert (await client.get("/v1/articles", params=anonymous, headers=expired)).status_code == 401


@pytest.mark.parametrize("path", ["/v1/topics", "/v1/authors"])
async def test_a_label_list_cursor_is_bound_to_its_caller(
    client: httpx.AsyncClient,
    session: AsyncSession,
    reader: factories.Account,
    other_reader: factories.Account,
    path: str,
) -> None:
    await factories.create_article(
        session, topics=["Energy", "Oil", "Gas"], authors=["Ana Lopez", "Bo Chen"]
    )
    page = await client.get(path, params={"limit": 1}, headers=reader.headers)
    cursor = page.json()["next_cursor"]
    assert cursor is not None
    mine = await client.get(path, params={"limit": 1, "cursor": cursor}, headers=reader.headers)
    assert mine.status_code == 200
    assert mine.json()["items"] != page.json()["items"]
    for headers in (other_reader.headers, {}):
        foreign = await client.get(path, params={"limit": 1, "cursor": cursor}, headers=headers)
        assert foreign.status_code == 400


async def test_filters(client: httpx.AsyncClient, session: AsyncSession) -> None:
    energy = await factories.create_article(
        session,
        topics=["Energy"],
        authors=["Ana Lopez"],
        section="Business",
        language="en",
        published_at=at(1),
    )
    sport = await factories.create_article(
        session,
        topics=["Football"],
        authors=["Ben Okafor"],
        section="Sport",
        language="fr",
        published_at=at(10),
    )
    both = await factories.create_article(
        session,
        topics=["Energy", "Football"],
        authors=["Ana Lopez", "Ben Okafor"],
        section="Business",
        language="en",
        published_at=at(20),
    )

    async def ids(**params: str) -> list[str]:
        return [i["id"] for i in (await client.get("/v1/articles", params=params)).json()["items"]]

    assert await ids(topic="energy") == [both, energy]
    assert await ids(author="ben-okafor") == [both, sport]
    assert await ids(topic="energy", author="ben-okafor") == [both]
    assert await ids(section="Sport") == [sport]
    assert await ids(language="fr") == [sport]
    assert await ids(since=at(10)) == [both, sport]
    assert await ids(until=at(10)) == [energy]
    assert await ids(since=at(5), until=at(15)) == [sport]
    assert await ids(topic="no-such-topic") == []
    for far in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        refused = await client.get("/v1/articles", params={"since": far})
        assert refused.status_code == 422, far


async def test_full_text_search(client: httpx.AsyncClient, session: AsyncSession) -> None:
    defence = await factories.create_article(
        session,
        headline="Chinese defence minister heads to Moscow",
        standfirst="Li Shangfu meets his Russian counterpart",
        summary=["Putin gives the visitor a high-profile welcome"],
        body="The talks covered military cooperation.",
    )
    await factories.create_article(session, headline="Local bakery wins prize", body="Bread.")

    async def search(q: str) -> list[str]:
        response = await client.get("/v1/articles", params={"q": q})
        assert response.status_code == 200
        return [i["id"] for i in response.json()["items"]]

    assert await search("moscow") == [defence]  # headline
    assert await search("Shangfu") == [defence]  # standfirst
    assert await search("welcome") == [defence]  # summary
    assert await search("cooperation") == [defence]  # body
    assert await search("ministers") == [defence]  # stemmed
    assert await search("defence Moscow") == [defence]
    assert await search("defence bakery") == []  # every word must match
    assert await search("volcano") == []
    # Query syntax cannot break the search.
    for hostile in ('"', "AND OR NOT", "moscow)", "*", "' OR 1=1 --", "NEAR(a b)"):
        assert isinstance(await search(hostile), list)


async def test_search_finds_words_beyond_ascii_in_every_field(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    article_id = await factories.create_article(
        session,
        headline="Señora Ibáñez wins",
        summary=["Café culture in Zürich", "Ελληνικά"],
        body="Straße",
    )

    async def search(q: str) -> list[str]:
        return [
            i["id"] for i in (await client.get("/v1/articles", params={"q": q})).json()["items"]
        ]

    for word in ("Ibáñez", "café", "Zürich", "Ελληνικά", "Straße"):
        assert await search(word) == [article_id], word
    # What an escaped summary would have indexed.
    assert await search("u00e9") == []


async def test_search_follows_edits(
    client: httpx.AsyncClient, session: AsyncSession, editor: factories.Account
) -> None:
    article_id = await factories.create_article(session, headline="Old wording about turbines")
    await client.patch(
        f"/v1/articles/{article_id}",
        headers=editor.headers,
        json={"headline": "New wording about glaciers"},
    )
    assert (await client.get("/v1/articles", params={"q": "turbines"})).json()["items"] == []
    hits = (await client.get("/v1/articles", params={"q": "glaciers"})).json()["items"]
    assert [h["id"] for h in hits] == [article_id]


async def test_pages_through_ties_on_the_same_second(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tied = {await factories.create_article(session, published_at=at(3)) for _ in range(7)}
    ids = await walk(client, "/v1/articles", limit=2)
    assert len(ids) == 7
    assert set(ids) == tied
    assert ids == sorted(ids, reverse=True)
