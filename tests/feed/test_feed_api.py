"""The personalised feed over HTTP: what is never shown, reasons, snapshots, modes."""

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import current_time
from app.config import Settings
from app.db import dialect_name
from app.feed import signals
from tests import factories

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
REASONS = {
    "followed_topic",
    "followed_author",
    "inferred_interest",
    "trending",
    "recent",
    "editors_pick",
}


def ago(hours: float) -> str:
    return (NOW - timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


@pytest.fixture(autouse=True)
def frozen_clock(app: FastAPI) -> None:
    app.dependency_overrides[current_time] = lambda: NOW


async def feed(client: httpx.AsyncClient, account: factories.Account, **params: str | int) -> Any:
    response = await client.get("/v1/me/feed", headers=account.headers, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    return response.json()


def ids(page: Any) -> list[str]:
    return [item["article"]["id"] for item in page["items"]]


async def walk(
    client: httpx.AsyncClient, account: factories.Account, **params: str | int
) -> list[str]:
    page = await feed(client, account, **params)
    seen = ids(page)
    for _ in range(100):
        if not page["next_cursor"]:
            return seen
        page = await feed(client, account, cursor=str(page["next_cursor"]), **params)
        seen += ids(page)
    raise AssertionError(f"the feed did not end after 100 pages; saw {len(seen)} items")


async def events(
    client: httpx.AsyncClient, account: factories.Account, *items: tuple[str, str, str]
) -> None:
    payload = [
        {
            "id": f"{kind}-{article_id}-{n}",
            "type": kind,
            "article_id": article_id,
            "occurred_at": at,
        }
        for n, (kind, article_id, at) in enumerate(items)
    ]
    response = await client.post("/v1/me/events", headers=account.headers, json={"events": payload})
    assert response.status_code == 202


async def test_cold_start_gets_trending_and_recent_across_topics(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    session: AsyncSession,
) -> None:
    popular = await factories.create_article(
        session, topics=["Sport"], published_at=ago(20), editors_pick=True
    )
    for hour, topic in enumerate(["Economy", "Science", "Politics"]):
        await factories.create_article(session, topics=[topic], published_at=ago(hour + 1))
    await events(client, other_reader, ("open", popular, ago(1)), ("like", popular, ago(1)))

    page = await feed(client, reader)
    assert len(page["items"]) == 4
    codes = {r["code"] for item in page["items"] for r in item["reasons"]}
    assert codes <= {"trending", "recent"}
    assert "trending" in codes
    popular_item = next(i for i in page["items"] if i["article"]["id"] == popular)
    assert "trending" in [r["code"] for r in popular_item["reasons"]]
    assert page["generated_at"] == NOW.isoformat().replace("+00:00", "Z")


async def test_a_story_sent_again_under_another_url_shows_once(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    """Wire copies: headlines that differ only in case, punctuation or spacing are one
    story, and the feed keeps its better-ranked copy (here the fresher)."""
    fresher = await factories.create_article(
        session, headline="Storm hits the coast", topics=["Weather"], published_at=ago(1)
    )
    await factories.create_article(
        session, headline="STORM hits  the coast!", topics=["Weather"], published_at=ago(3)
    )
    another = await factories.create_article(
        session, headline="Storm hits the coastline", topics=["Weather"], published_at=ago(2)
    )

    assert await walk(client, reader) == [fresher, another]


async def test_engagement_recorded_meanwhile_counts_in_the_next_first_page(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    session: AsyncSession,
) -> None:
    story = await factories.create_article(session, topics=["Sport"], published_at=ago(20))

    def reasons_of(page: dict[str, Any]) -> list[str]:
        item = next(i for i in page["items"] if i["article"]["id"] == story)
        return [r["code"] for r in item["reasons"]]

    assert "trending" not in reasons_of(await feed(client, reader))
    await events(client, other_reader, ("open", story, ago(1)), ("like", story, ago(1)))
    assert "trending" in reasons_of(await feed(client, reader))


async def test_followed_topic_and_author_lead_with_named_reasons(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    followed = await factories.create_article(session, topics=["Diplomacy"], published_at=ago(5))
    by_author = await factories.create_article(
        session, topics=["Culture"], authors=["Li Wei"], published_at=ago(5)
    )
    await factories.create_article(
        session, topics=["Weather"], authors=["Someone Else"], published_at=ago(5)
    )
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    await client.put("/v1/me/subscriptions/authors/li-wei", headers=reader.headers)

    page = await feed(client, reader)
    assert set(ids(page)[:2]) == {followed, by_author}
    reasons = {item["article"]["id"]: item["reasons"] for item in page["items"]}
    assert {"code": "followed_topic", "topic": "diplomacy", "author": None} in reasons[followed]
    assert {"code": "followed_author", "topic": None, "author": "li-wei"} in reasons[by_author]
    for item in page["items"]:
        assert item["reasons"], item
        assert {r["code"] for r in item["reasons"]} <= REASONS


@pytest.mark.parametrize("history_rows", [1000, 1], ids=["history-known", "history-longer"])
@pytest.mark.parametrize("hidden_read_whole", [500, 0], ids=["hidden-few", "hidden-many"])
async def test_never_shown_hidden_read_muted_retracted(
    client: httpx.AsyncClient,
    reader: factories.Account,
    editor: factories.Account,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    history_rows: int,
    hidden_read_whole: int,
) -> None:
    """Read articles are left out whether the reader's whole history came with their signals
    (most readers) or was too long for that and is looked up per candidate; hidden ones
    whether the reader hid few (all read at once) or more than that (looked up)."""
    monkeypatch.setattr(
        signals, "reader_signals", functools.partial(signals.reader_signals, most=history_rows)
    )
    monkeypatch.setattr(signals, "HIDDEN_READ_WHOLE", hidden_read_whole)
    keep = await factories.create_article(session, topics=["Diplomacy"], published_at=ago(1))
    hidden = await factories.create_article(session, topics=["Diplomacy"], published_at=ago(2))
    read = await factories.create_article(session, topics=["Diplomacy"], published_at=ago(3))
    opened = await factories.create_article(session, topics=["Diplomacy"], published_at=ago(3))
    muted_topic = await factories.create_article(session, topics=["Gossip"], published_at=ago(1))
    half_muted = await factories.create_article(
        session, topics=["Gossip", "Diplomacy"], published_at=ago(1)
    )
    muted_author = await factories.create_article(
        session, topics=["Diplomacy"], authors=["Noisy Pundit"], published_at=ago(1)
    )
    retracted = await factories.create_article(session, topics=["Diplomacy"], published_at=ago(1))
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    await client.put(f"/v1/me/hidden/{hidden}", headers=reader.headers)
    await events(client, reader, ("read", read, ago(1)), ("open", opened, ago(1)))
    await client.put("/v1/me/mutes/topics/gossip", headers=reader.headers)
    await client.put("/v1/me/mutes/authors/noisy-pundit", headers=reader.headers)
    await client.delete(f"/v1/articles/{retracted}", headers=editor.headers)
    known = (await signals.reader_signals(session, reader.user.id, NOW)).read
    assert known == (None if history_rows == 1 else {read, opened})

    for mode in ("ranked", "latest"):
        shown = await walk(client, reader, mode=mode)
        assert keep in shown, mode
        assert half_muted in shown, mode  # only one of its topics is muted
        for never in (hidden, read, opened, muted_topic, muted_author, retracted):
            assert never not in shown, (mode, never)
    with_read = await walk(client, reader, include_read="true")
    assert {read, opened} <= set(with_read)
    assert hidden not in with_read


async def test_a_snoozed_author_returns_when_the_snooze_ends(
    client: httpx.AsyncClient, reader: factories.Account, app: FastAPI, session: AsyncSession
) -> None:
    snoozed = await factories.create_article(
        session, topics=["Diplomacy"], authors=["Noisy Pundit"], published_at=ago(1)
    )
    other = await factories.create_article(session, topics=["Diplomacy"], published_at=ago(2))
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    until = (NOW + timedelta(hours=2)).isoformat()
    muted = await client.put(
        "/v1/me/mutes/authors/noisy-pundit", headers=reader.headers, json={"until": until}
    )
    assert muted.status_code == 204
    assert ids(await feed(client, reader)) == [other]

    app.dependency_overrides[current_time] = lambda: NOW + timedelta(hours=3)
    assert set(ids(await feed(client, reader))) == {snoozed, other}


async def test_a_correction_counts_in_the_next_first_page(
    client: httpx.AsyncClient,
    reader: factories.Account,
    editor: factories.Account,
    session: AsyncSession,
) -> None:
    story = await factories.create_article(session, topics=["Diplomacy"], published_at=ago(1))
    await factories.create_article(session, topics=["Gossip"], published_at=ago(30))
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    assert (await client.put("/v1/me/mutes/topics/gossip", headers=reader.headers)).is_success
    assert story in [i["article"]["id"] for i in (await feed(client, reader))["items"]]

    refiled = await client.patch(
        f"/v1/articles/{story}", headers=editor.headers, json={"topics": ["Gossip"]}
    )
    assert refiled.status_code == 200
    assert story not in [i["article"]["id"] for i in (await feed(client, reader))["items"]]


async def test_snapshot_pages_never_repeat_while_articles_arrive(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    for n in range(25):
        await factories.create_article(session, topics=[f"Topic {n % 5}"], published_at=ago(n))
    page = await feed(client, reader, limit=7)
    seen = ids(page)
    while page["next_cursor"]:
        await factories.create_article(session, topics=["Breaking"], published_at=ago(0))
        page = await feed(client, reader, limit=7, cursor=str(page["next_cursor"]))
        seen += ids(page)
    assert len(seen) == len(set(seen)) == 25
    fresh = await feed(client, reader, limit=100)
    assert len(ids(fresh)) > 25  # a request without a cursor ranks anew


async def test_later_pages_skip_what_was_hidden_or_retracted_after_the_first(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    editor: factories.Account,
    session: AsyncSession,
) -> None:
    stories = [
        await factories.create_article(session, topics=[f"Topic {n % 4}"], published_at=ago(n))
        for n in range(12)
    ]
    page = await feed(client, reader, limit=3)
    ranked = ids(page)
    later = [story for story in stories if story not in ranked]
    hidden, retracted, hidden_by_another = later[0], later[4], later[6]
    await client.put(f"/v1/me/hidden/{hidden}", headers=reader.headers)
    await client.put(f"/v1/me/hidden/{hidden_by_another}", headers=other_reader.headers)
    assert (await client.delete(f"/v1/articles/{retracted}", headers=editor.headers)).is_success
    while page["next_cursor"]:
        page = await feed(client, reader, limit=3, cursor=str(page["next_cursor"]))
        ranked += ids(page)
    assert sorted(ranked) == sorted(set(stories) - {hidden, retracted})


@pytest.mark.parametrize("include_read", [False, True], ids=["unread", "include_read"])
async def test_later_pages_skip_what_was_muted_or_read_after_the_first(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession, include_read: bool
) -> None:
    topic_of = {
        await factories.create_article(session, topics=[f"Topic {n % 4}"], published_at=ago(n)): n
        % 4
        for n in range(12)
    }
    by_ann = await factories.create_article(
        session, topics=["Topic 0"], authors=["Ann Author"], published_at=ago(12)
    )
    # Not every topic of it is muted: it stays.
    on_two = await factories.create_article(
        session, topics=["Topic 1", "Topic 2"], published_at=ago(13)
    )
    params = {"include_read": "true"} if include_read else {}
    page = await feed(client, reader, limit=3, **params)
    shown = ids(page)
    later = [story for story in [*topic_of, by_ann, on_two] if story not in shown]
    opened, read = [story for story in later if topic_of.get(story) in {0, 2, 3}][:2]
    for mute in ("topics/topic-1", "authors/ann-author"):
        muted = await client.put(f"/v1/me/mutes/{mute}", headers=reader.headers)
        assert muted.status_code == 204
    await events(client, reader, ("open", opened, ago(0)), ("read", read, ago(0)))

    while page["next_cursor"]:
        page = await feed(client, reader, limit=3, cursor=str(page["next_cursor"]), **params)
        shown += ids(page)

    gone = {story for story in later if topic_of.get(story) == 1} | {by_ann}
    if not include_read:
        gone |= {opened, read}
    assert on_two not in gone
    assert sorted(shown) == sorted((set(topic_of) | {by_ann, on_two}) - gone)


async def test_pages_walk_the_ranking_in_order_with_scores_and_reasons(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    for n in range(23):
        await factories.create_article(session, topics=[f"Topic {n % 4}"], published_at=ago(n))
    await client.put("/v1/me/subscriptions/topics/topic-1", headers=reader.headers)
    whole = (await feed(client, reader, limit=100))["items"]
    assert len(whole) == 23

    page = await feed(client, reader, limit=4)
    walked = page["items"]
    while page["next_cursor"]:
        page = await feed(client, reader, limit=4, cursor=str(page["next_cursor"]))
        assert len(page["items"]) == 4 or not page["next_cursor"]
        walked += page["items"]
    assert walked == whole  # the same ranking, cut into pages at the right places


async def test_cursor_works_for_15_minutes_then_expires(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession, app: FastAPI
) -> None:
    for n in range(4):
        await factories.create_article(session, published_at=ago(n))
    cursor = str((await feed(client, reader, limit=2))["next_cursor"])
    app.dependency_overrides[current_time] = lambda: NOW + timedelta(minutes=15)
    assert len(ids(await feed(client, reader, limit=2, cursor=cursor))) == 2
    app.dependency_overrides[current_time] = lambda: NOW + timedelta(hours=2)
    expired = await client.get(
        "/v1/me/feed", headers=reader.headers, params={"cursor": cursor, "limit": 2}
    )
    assert expired.status_code == 400
    assert "first page" in expired.json()["detail"]


async def test_tampered_or_foreign_cursor_is_400(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    session: AsyncSession,
) -> None:
    for n in range(4):
        await factories.create_article(session, published_at=ago(n))
    cursor = str((await feed(client, reader, limit=1))["next_cursor"])
    for bad, account in (
        (factories.tampered(cursor), reader),
        ("nonsense", reader),
        (cursor, other_reader),
    ):
        response = await client.get("/v1/me/feed", headers=account.headers, params={"cursor": bad})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
    other_mode = await client.get(
        "/v1/me/feed", headers=reader.headers, params={"cursor": cursor, "mode": "latest"}
    )
    assert other_mode.status_code == 400


async def test_latest_mode_is_strictly_newest_first_and_pages(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    followed = [
        await factories.create_article(session, topics=["Diplomacy"], published_at=ago(n))
        for n in range(0, 30, 2)
    ]
    by_author = [
        await factories.create_article(
            session, topics=["Other"], authors=["Li Wei"], published_at=ago(n)
        )
        for n in range(1, 30, 2)
    ]
    await factories.create_article(session, topics=["Unfollowed"], published_at=ago(0.5))
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    await client.put("/v1/me/subscriptions/authors/li-wei", headers=reader.headers)

    shown = await walk(client, reader, mode="latest", limit=4)
    expected = [a for pair in zip(followed, by_author, strict=True) for a in pair]
    assert shown == expected
    page = await feed(client, reader, mode="latest", limit=3)
    dates = [item["article"]["published_at"] for item in page["items"]]
    assert dates == sorted(dates, reverse=True)
    assert page["items"][0]["reasons"] == [
        {"code": "followed_topic", "topic": "diplomacy", "author": None}
    ]


async def test_dislike_lowers_and_like_raises_a_topic(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    disliked_seen = await factories.create_article(session, topics=["Gossip"], published_at=ago(3))
    liked_seen = await factories.create_article(session, topics=["Astronomy"], published_at=ago(3))
    gossip = await factories.create_article(session, topics=["Gossip"], published_at=ago(2))
    astronomy = await factories.create_article(session, topics=["Astronomy"], published_at=ago(2))
    neutral = await factories.create_article(session, topics=["Neutral"], published_at=ago(2))
    await events(
        client,
        reader,
        ("dislike", disliked_seen, ago(1)),
        ("like", liked_seen, ago(1)),
        ("read", liked_seen, ago(1)),
    )
    order = ids(await feed(client, reader))
    assert order.index(astronomy) < order.index(neutral) < order.index(gossip)
    astronomy_item = next(
        i for i in (await feed(client, reader))["items"] if i["article"]["id"] == astronomy
    )
    assert {"code": "inferred_interest", "topic": "astronomy", "author": None} in astronomy_item[
        "reasons"
    ]


async def test_interests_show_weights_and_evidence(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    liked = await factories.create_article(session, topics=["Astronomy"], authors=["Ana Lopez"])
    disliked = await factories.create_article(session, topics=["Gossip"])
    await factories.create_article(session, topics=["Diplomacy"])
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    await events(
        client,
        reader,
        ("open", liked, ago(1)),
        ("read", liked, ago(1)),
        ("like", liked, ago(1)),
        ("dislike", disliked, ago(1)),
    )
    response = await client.get("/v1/me/interests", headers=reader.headers)
    assert response.status_code == 200
    topics = {t["topic"]["slug"]: t for t in response.json()["topics"]}
    assert topics["diplomacy"]["followed"] is True
    assert topics["astronomy"]["weight"] > 0 > topics["gossip"]["weight"]
    assert topics["astronomy"]["evidence"] == {
        "opens": 1,
        "reads": 1,
        "likes": 1,
        "dislikes": 0,
        "shares": 0,
    }
    assert topics["gossip"]["evidence"]["dislikes"] == 1
    authors = {a["author"]["slug"]: a for a in response.json()["authors"]}
    assert authors["ana-lopez"]["weight"] > 0


async def test_trending_ranks_by_recent_engagement(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    session: AsyncSession,
) -> None:
    hot = await factories.create_article(session, published_at=ago(30))
    warm = await factories.create_article(session, published_at=ago(30))
    stale = await factories.create_article(session, published_at=ago(30))
    await factories.create_article(session, published_at=ago(1))
    await events(
        client, reader, ("read", hot, ago(1)), ("read", warm, ago(2)), ("read", stale, ago(30))
    )
    await events(client, other_reader, ("like", hot, ago(1)))
    response = await client.get("/v1/trending", params={"hours": 24})
    assert response.status_code == 200
    assert [i["article"]["id"] for i in response.json()["items"]] == [hot, warm]
    assert response.json()["items"][0]["score"] > response.json()["items"][1]["score"]
    assert (await client.get("/v1/trending", params={"hours": 0})).status_code == 422


async def test_feed_needs_a_reader(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/me/feed")).status_code == 401
    assert (await client.get("/v1/me/interests")).status_code == 401


@pytest.mark.parametrize("mode", ["ranked", "latest"])
async def test_statement_count_does_not_grow_with_page_or_candidates(
    app: FastAPI,
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    executed: list[str],
    mode: str,
) -> None:
    await factories.create_article(session, topics=["Diplomacy"], published_at=ago(1))
    followed = await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    assert followed.status_code == 204

    def counted() -> int:
        return len(executed)

    async def statements_for(limit: int) -> int:
        # Each page renders its summaries (none kept from an earlier page): the most it costs.
        app.state.kept_summaries.forget()
        before = counted()
        page = await feed(client, reader, limit=limit, mode=mode)
        assert page["items"]
        return counted() - before

    await statements_for(2)  # warms what the app shares between readers (trending, engagement)
    cached = await statements_for(2)  # the candidates' ranking facts are kept as well
    for n in range(60):
        await factories.create_article(
            session,
            topics=["Diplomacy", f"Topic {n % 9}"],
            authors=[f"Author {n % 7}"],
            published_at=ago(n),
        )
    fresh = await statements_for(2)
    assert await statements_for(2) == cached
    assert await statements_for(50) == cached
    if mode == "ranked":
        assert fresh == cached + 1, "60 new candidates' facts: one read of their rows"
        before = counted()
        await feed(client, reader, limit=50, mode=mode)
        assert counted() - before == cached - 1, "its summaries kept: no read of their labels"
    else:
        assert fresh == cached
    assert fresh <= 30


async def test_candidates_are_read_by_the_same_statement_whatever_a_reader_follows(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    executed: list[str],
) -> None:
    """On PostgreSQL a reader's labels are array parameters, so every first page runs one
    SQL text, compiled once per process; SQLite unrolls labels into the statement."""
    if dialect_name(session) != "postgresql":
        pytest.skip("PostgreSQL passes label ids as arrays")
    names = ["Energy", "Sport", "Science", "Culture", "Climate"]
    for name in names:
        await factories.create_article(session, topics=[name], published_at=ago(1))
    readers = []
    for count in (1, 3, 5):
        account = await factories.create_account(session, settings)
        for name in names[:count]:
            followed = await client.put(
                f"/v1/me/subscriptions/topics/{name.lower()}", headers=account.headers
            )
            assert followed.status_code == 204
        readers.append(account)

    executed.clear()
    for account in readers:
        assert (await feed(client, account))["items"]

    reading_candidates = {s for s in executed if "unnest" in s and "article_topics" in s}
    assert len(reading_candidates) == 1, reading_candidates
