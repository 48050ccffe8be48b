"""Articles: newsroom writes, public reads, retraction and conditional GET."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Article, ArticleAuthor, ArticleTopic, Author, Scope, Topic
from tests import factories
from tests.factories import article_payload


async def publish(
    client: httpx.AsyncClient, account: factories.Account, **overrides: object
) -> httpx.Response:
    return await client.post(
        "/v1/articles", headers=account.headers, json=article_payload(**overrides)
    )


async def test_editor_publishes_full_article(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    response = await publish(
        client,
        editor,
        headline="Russia and China show solidarity",
        topics=["China-Russia relations", "Diplomacy"],
        authors=["Jane Reporter", "Li Wei"],
        video={"url": "https://news.example/v/1.mp4", "title": "Arrival", "duration_seconds": 95},
    )
    assert response.status_code == 201
    article = response.json()
    assert response.headers["location"] == f"/v1/articles/{article['id']}"
    assert article["topics"] == [
        {"slug": "china-russia-relations", "name": "China-Russia relations"},
        {"slug": "diplomacy", "name": "Diplomacy"},
    ]
    assert [a["slug"] for a in article["authors"]] == ["jane-reporter", "li-wei"]
    assert article["image"]["credit"] == "AP Photo"
    assert article["video"]["duration_seconds"] == 95
    assert article["summary"] == ["First point.", "Second point."]
    assert article["reading_time_minutes"] == 2  # 460 words at 230 a minute
    assert article["published_at"] == "2026-11-20T10:00:00Z"
    assert article["body"].startswith("Words")

    fetched = await client.get(f"/v1/articles/{article['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == article


async def test_topic_names_match_existing_slugs(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession
) -> None:
    await publish(client, editor, topics=["China-Russia relations"])
    await publish(client, editor, topics=["china russia RELATIONS!"])
    topics = (await session.scalars(select(Topic))).all()
    assert [(t.slug, t.name, t.article_count) for t in topics] == [
        ("china-russia-relations", "China-Russia relations", 2)
    ]


async def test_duplicate_url_or_external_id_is_409(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    first = await publish(client, editor, external_id="cms-1")
    assert first.status_code == 201
    same_url = await publish(client, editor, url=first.json()["url"])
    assert same_url.status_code == 409
    same_external = await publish(client, editor, external_id="cms-1")
    assert same_external.status_code == 409
    assert same_external.headers["content-type"] == "application/problem+json"


async def test_api_key_with_articles_write_can_publish(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, writer = await factories.create_api_key(session, scopes=(Scope.ARTICLES_WRITE,))
    _, reader_key = await factories.create_api_key(session, scopes=(Scope.FEEDS_READ,))
    payload = article_payload()
    assert (
        await client.post("/v1/articles", headers={"X-API-Key": writer}, json=payload)
    ).status_code == 201
    refused = await client.post(
        "/v1/articles", headers={"X-API-Key": reader_key}, json=article_payload()
    )
    assert refused.status_code == 403


async def test_reader_and_anonymous_cannot_write(
    client: httpx.AsyncClient, reader: factories.Account, editor: factories.Account
) -> None:
    assert (await publish(client, reader)).status_code == 403
    assert (await client.post("/v1/articles", json=article_payload())).status_code == 401
    article_id = (await publish(client, editor)).json()["id"]
    patch = await client.patch(
        f"/v1/articles/{article_id}", headers=reader.headers, json={"headline": "Hijacked"}
    )
    assert patch.status_code == 403
    delete = await client.delete(f"/v1/articles/{article_id}", headers=reader.headers)
    assert delete.status_code == 403
    batch = await client.post(
        "/v1/articles/batch", headers=reader.headers, json={"articles": [article_payload()]}
    )
    assert batch.status_code == 403
    assert (await client.get(f"/v1/articles/{article_id}")).json()["headline"] != "Hijacked"


async def test_api_key_cannot_correct_or_retract_but_editor_can(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession
) -> None:
    """`articles:write` lets an integration publish; corrections and retractions are an
    editor's."""
    _, secret = await factories.create_api_key(session, scopes=(Scope.ARTICLES_WRITE,))
    key = {"X-API-Key": secret}
    article = (await publish(client, editor)).json()
    path = f"/v1/articles/{article['id']}"

    patch = await client.patch(path, headers=key, json={"headline": "Hijacked"})
    delete = await client.delete(path, headers=key)
    for refused in (patch, delete):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["www-authenticate"].startswith("Bearer")
        assert "bearer" in refused.json()["detail"]
    assert (await client.get(path)).json() == article

    patched = await client.patch(path, headers=editor.headers, json={"headline": "Corrected"})
    assert patched.status_code == 200
    assert patched.json()["headline"] == "Corrected"
    assert (await client.delete(path, headers=editor.headers)).status_code == 204
    assert (await client.get(path)).status_code == 410


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"url": "ftp://news.example/a"}, "body.url"),
        ({"url": "javascript:alert(1)"}, "body.url"),
        ({"url": None}, "body.url"),
        ({"headline": ""}, "body.headline"),
        ({"headline": "x" * 301}, "body.headline"),
        ({"headline": "nul\x00byte"}, "body.headline"),
        # Refused as sent, before the whitespace around it is stripped.
        ({"headline": "\x0cform feed first"}, "body.headline"),
        ({"topics": ["Energy\x0b"]}, "body.topics.0"),
        ({"credits": ["\x0bAP"]}, "body.credits.0"),
        ({"topics": []}, "body.topics"),
        ({"topics": ["   "]}, "body.topics.0"),
        ({"topics": [f"t{i}" for i in range(11)]}, "body.topics"),
        ({"published_at": "2026-11-20T10:00:00"}, "body.published_at"),
        ({"published_at": "2099-01-01T00:00:00Z"}, "body.published_at"),
        ({"published_at": "yesterday"}, "body.published_at"),
        # Year 0 in UTC, where it is stored and compared.
        ({"published_at": "0001-01-01T00:00:00+14:00"}, "body.published_at"),
        # A "zero time", which PostgreSQL's driver would store as -infinity.
        ({"published_at": "0001-01-01T00:00:00Z"}, "body.published_at"),
        ({"summary": ["ok"] * 11}, "body.summary"),
        ({"comment_count": -1}, "body.comment_count"),
        ({"comment_count": "12"}, "body.comment_count"),
        ({"comment_count": True}, "body.comment_count"),
        ({"editors_pick": "yes"}, "body.editors_pick"),
        ({"editors_pick": 1}, "body.editors_pick"),
        ({"image": {"url": "not a url"}}, "body.image.url"),
        # Normalising would percent-encode these (a NUL stored as %00) or drop them.
        ({"url": "https://news.example/a\x00b"}, "body.url"),
        ({"url": "https://news.example/a\nb"}, "body.url"),
        ({"image": {"url": "https://news.example/a\x00b.jpg"}}, "body.image.url"),
        ({"video": {"url": "https://news.example/v\x7f.mp4"}}, "body.video.url"),
        (
            {"video": {"url": "https://news.example/v", "duration_seconds": -5}},
            "body.video.duration_seconds",
        ),
        ({"language": "English"}, "body.language"),
        ({"language": "en" + "-abcdefgh" * 4}, "body.language"),
        ({"id": "chosen-by-client"}, "body.id"),
        ({"reading_time_minutes": 0}, "body.reading_time_minutes"),
        ({"reading_time_minutes": 1441}, "body.reading_time_minutes"),
        ({"reading_time_minutes": "5"}, "body.reading_time_minutes"),
        ({"reading_time_minutes": True}, "body.reading_time_minutes"),
        ({"reading_time_minutes": 2.5}, "body.reading_time_minutes"),
    ],
)
async def test_invalid_article_is_422_naming_the_field(
    client: httpx.AsyncClient,
    editor: factories.Account,
    session: AsyncSession,
    override: dict[str, object],
    field: str,
) -> None:
    response = await publish(client, editor, **override)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await client.get("/v1/articles")).json()["items"] == []


# 1,500 characters, 9,000 once each "é" is percent-encoded as the url is stored.
ACCENTED_URL = "https://news.example/" + "é" * 1500


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"url": ACCENTED_URL}, "body.url"),
        ({"image": {"url": ACCENTED_URL}}, "body.image.url"),
        ({"video": {"url": ACCENTED_URL}}, "body.video.url"),
    ],
)
async def test_url_too_long_once_normalised_is_422(
    client: httpx.AsyncClient,
    editor: factories.Account,
    override: dict[str, object],
    field: str,
) -> None:
    response = await publish(client, editor, **override)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "2048" in errors[field]
    assert (await client.get("/v1/articles")).json()["items"] == []


async def test_url_up_to_the_limit_once_normalised_is_stored_normalised(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    longest = "https://news.example/" + "a" * (2048 - len("https://news.example/"))
    assert (await publish(client, editor, url=longest)).json()["url"] == longest
    accented = await publish(client, editor, url="https://news.example/" + "é" * 10)
    assert accented.status_code == 201
    assert accented.json()["url"] == "https://news.example/" + "%C3%A9" * 10


async def test_missing_required_fields_are_422(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    response = await client.post("/v1/articles", headers=editor.headers, json={"headline": "x"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.url", "body.published_at", "body.topics"} <= fields


async def test_patch_changes_only_sent_fields_and_refiles(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    article = (await publish(client, editor, topics=["Economy"])).json()
    response = await client.patch(
        f"/v1/articles/{article['id']}",
        headers=editor.headers,
        json={"headline": "Corrected headline", "topics": ["Trade"]},
    )
    assert response.status_code == 200
    patched = response.json()
    assert patched["headline"] == "Corrected headline"
    assert patched["standfirst"] == article["standfirst"]
    assert [t["slug"] for t in patched["topics"]] == ["trade"]
    assert patched["updated_at"] > article["updated_at"]
    assert (await client.get("/v1/articles?topic=economy")).json()["items"] == []
    assert (await client.get("/v1/articles?topic=trade")).json()["items"][0]["id"] == article["id"]
    topics = {t["slug"]: t for t in (await client.get("/v1/topics")).json()["items"]}
    assert topics["economy"]["article_count"] == 0
    assert topics["trade"]["article_count"] == 1


async def test_reading_time_is_the_newsrooms_when_sent_else_follows_the_body(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    # The full form sent back, less its id and with its labels as names, is accepted as is.
    derived = (await publish(client, editor)).json()
    resent = {key: value for key, value in derived.items() if key != "id"}
    resent |= {
        "url": "https://news.example/world/resent",
        "topics": [t["name"] for t in derived["topics"]],
        "authors": [a["name"] for a in derived["authors"]],
    }
    response = await client.post("/v1/articles", headers=editor.headers, json=resent)
    assert response.status_code == 201, response.text
    assert response.json()["reading_time_minutes"] == 2  # 460 words at 230 a minute

    article = (await publish(client, editor, reading_time_minutes=7)).json()
    assert article["reading_time_minutes"] == 7
    path = f"/v1/articles/{article['id']}"

    async def patched(changes: dict[str, object]) -> int:
        response = await client.patch(path, headers=editor.headers, json=changes)
        assert response.status_code == 200, response.text
        assert (await client.get(path)).json() == response.json()
        return int(response.json()["reading_time_minutes"])

    assert await patched({"headline": "Corrected headline"}) == 7
    assert await patched({"body": article["body"]}) == 7  # the same body, sent again
    assert await patched({"body": "Words " * 920}) == 4
    assert await patched({"reading_time_minutes": 9}) == 9
    assert await patched({"body": "Words " * 10, "reading_time_minutes": 12}) == 12
    assert await patched({"reading_time_minutes": None}) == 1
    assert await patched({"headline": "Corrected again"}) == 1


async def test_patch_cannot_null_required_fields_or_add_unknown_ones(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    article_id = (await publish(client, editor)).json()["id"]
    bodies: list[dict[str, object]] = [
        {"headline": None},
        {"topics": None},
        {"topics": []},
        {"pk": 5},
    ]
    for body in bodies:
        response = await client.patch(
            f"/v1/articles/{article_id}", headers=editor.headers, json=body
        )
        assert response.status_code == 422, body


async def test_patching_an_article_stored_under_earlier_rules_names_the_field_to_send(
    client: httpx.AsyncClient, session: AsyncSession, editor: factories.Account
) -> None:
    article_id = (await publish(client, editor)).json()["id"]
    # A headline today's rules refuse (a vertical tab at its end), stored before them.
    await session.execute(
        update(Article).where(Article.id == article_id).values(headline="Old headline\v")
    )
    path = f"/v1/articles/{article_id}"
    other = await client.patch(path, headers=editor.headers, json={"standfirst": "Anew."})
    assert other.status_code == 422
    assert [e["field"] for e in other.json()["errors"]] == ["body.headline"]
    assert (await client.get(path)).json()["standfirst"] != "Anew."
    fixed = await client.patch(path, headers=editor.headers, json={"headline": "New headline"})
    assert fixed.status_code == 200
    assert fixed.json()["headline"] == "New headline"


async def test_retracted_article_is_gone_everywhere(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    article = (
        await publish(client, editor, headline="Zanzibar ferry schedule", topics=["Transport"])
    ).json()
    assert (await client.get("/v1/articles?q=zanzibar")).json()["items"]
    response = await client.delete(f"/v1/articles/{article['id']}", headers=editor.headers)
    assert response.status_code == 204

    gone = await client.get(f"/v1/articles/{article['id']}")
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    for query in ("", "?topic=transport", "?q=zanzibar", "?author=jane-reporter", "?section=World"):
        assert (await client.get(f"/v1/articles{query}")).json()["items"] == [], query
    topic = (await client.get("/v1/topics/transport")).json()
    assert topic["article_count"] == 0
    patch = await client.patch(
        f"/v1/articles/{article['id']}", headers=editor.headers, json={"headline": "Back"}
    )
    assert patch.status_code == 410
    # Retrying the retraction is harmless.
    again = await client.delete(f"/v1/articles/{article['id']}", headers=editor.headers)
    assert again.status_code == 204


async def test_an_article_is_revalidated_by_etag_alone(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    """Its updated_at is the newsroom's to set, back in time too, and a topic's new name
    changes it without touching it: no date could tell a client its copy is current."""
    article = (await publish(client, editor, topics=["Trade"])).json()
    path = f"/v1/articles/{article['id']}"
    first = await client.get(path)
    assert "last-modified" not in first.headers
    dated = {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    assert (await client.get(path, headers=dated)).status_code == 200
    back_dated = {"headline": "Corrected", "updated_at": "2020-01-01T00:00:00Z"}
    assert (await client.patch(path, headers=editor.headers, json=back_dated)).status_code == 200
    renamed = {"name": "World trade"}
    assert (
        await client.patch("/v1/topics/trade", headers=editor.headers, json=renamed)
    ).status_code == 200
    again = await client.get(path, headers=dated)
    assert again.status_code == 200
    assert again.json()["headline"] == "Corrected"
    assert again.json()["topics"][0]["name"] == "World trade"


async def test_unknown_article_is_404(client: httpx.AsyncClient, editor: factories.Account) -> None:
    assert (await client.get("/v1/articles/nope")).status_code == 404
    assert (await client.delete("/v1/articles/nope", headers=editor.headers)).status_code == 404


async def test_etag_and_304(client: httpx.AsyncClient, editor: factories.Account) -> None:
    article_id = (await publish(client, editor)).json()["id"]
    first = await client.get(f"/v1/articles/{article_id}")
    etag = first.headers["etag"]
    assert etag.startswith('"')
    cached = await client.get(f"/v1/articles/{article_id}", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag
    other = await client.get(f"/v1/articles/{article_id}", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200

    await client.patch(
        f"/v1/articles/{article_id}", headers=editor.headers, json={"comment_count": 99}
    )
    changed = await client.get(f"/v1/articles/{article_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_an_article_row_carries_the_ids_it_is_filed_under(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession
) -> None:
    """Ranking reads topic and author ids from the article row: they follow every filing,
    in order (primary topic first), as the link tables do."""

    async def row_and_links(article_id: str) -> tuple[Any, Any]:
        row = (
            await session.execute(
                select(Article.topic_ids, Article.author_ids).where(Article.id == article_id)
            )
        ).one()
        linked = []
        for link, label in (
            (ArticleTopic, ArticleTopic.topic_id),
            (ArticleAuthor, ArticleAuthor.author_id),
        ):
            found = await session.scalars(
                select(label).where(link.article_id == article_id).order_by(link.position)
            )
            linked.append(list(found.all()))
        return (list(row.topic_ids), list(row.author_ids)), tuple(linked)

    async def slug_ids(model: Any, slugs: list[str]) -> list[int]:
        found: dict[str, int] = dict((await session.execute(select(model.slug, model.id))).all())
        return [found[slug] for slug in slugs]

    created = await publish(client, editor, topics=["Energy", "Economy"], authors=["Li Wei"])
    article_id = created.json()["id"]
    row, links = await row_and_links(article_id)
    assert row == links
    assert row == (await slug_ids(Topic, ["energy", "economy"]), await slug_ids(Author, ["li-wei"]))

    patched = await client.patch(
        f"/v1/articles/{article_id}",
        headers=editor.headers,
        json={"topics": ["Climate", "Energy"], "authors": ["Jane Reporter", "Li Wei"]},
    )
    assert patched.status_code == 200
    row, links = await row_and_links(article_id)
    assert row == links
    assert row[0] == await slug_ids(Topic, ["climate", "energy"])

    batch = await client.post(
        "/v1/articles/batch",
        headers=editor.headers,
        json={"articles": [article_payload(topics=["Sport"], authors=[])]},
    )
    assert batch.status_code == 200
    (result,) = batch.json()["results"]
    row, links = await row_and_links(result["id"])
    assert row == links == (await slug_ids(Topic, ["sport"]), [])

    retracted = await client.delete(f"/v1/articles/{article_id}", headers=editor.headers)
    assert retracted.status_code == 204
    assert await row_and_links(article_id) == (([], []), ([], []))


async def test_summaries_name_labels_in_filing_order_as_they_are_named_now(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    """Lists take a summary's labels from the ids on the article row, in filing order, and
    their names from the labels themselves: a renamed topic shows its new name at once."""
    # Filed first, so these labels' ids run against the next article's filing order.
    await publish(client, editor, topics=["Arctic", "Energy"], authors=["Ana Lopez"])
    await publish(client, editor, topics=["Energy"], authors=[])
    created = await publish(
        client, editor, topics=["Trade", "Energy", "Arctic"], authors=["Li Wei", "Ana Lopez"]
    )
    article_id = created.json()["id"]

    listed = (await client.get("/v1/articles", params={"author": "li-wei"})).json()["items"]
    assert [a["id"] for a in listed] == [article_id]
    assert [t["slug"] for t in listed[0]["topics"]] == ["trade", "energy", "arctic"]
    assert [a["slug"] for a in listed[0]["authors"]] == ["li-wei", "ana-lopez"]
    others = (await client.get("/v1/articles", params={"topic": "energy"})).json()["items"]
    assert sorted(len(a["authors"]) for a in others) == [0, 1, 2]

    renamed = await client.patch(
        "/v1/topics/energy", headers=editor.headers, json={"name": "Energy transition"}
    )
    assert renamed.status_code == 200
    listed = (await client.get("/v1/articles", params={"author": "li-wei"})).json()["items"]
    assert listed[0]["topics"][1] == {"slug": "energy", "name": "Energy transition"}
    assert (await client.get(f"/v1/articles/{article_id}")).json()["topics"] == listed[0]["topics"]
