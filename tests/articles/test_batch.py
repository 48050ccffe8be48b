"""Batch upsert: created, unchanged on repeat, updated on change, errors confined to their item."""

import asyncio

import httpx
import pytest
from sqlalchemy import Text, cast, event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from app.articles import batch
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models import Article, ArticleAuthor, ArticleTopic, Scope, Topic
from tests import factories
from tests.factories import article_payload


async def send(
    client: httpx.AsyncClient, account: factories.Account, articles: list[dict[str, object]]
) -> httpx.Response:
    return await client.post(
        "/v1/articles/batch", headers=account.headers, json={"articles": articles}
    )


async def test_batch_statuses_across_repeats(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession
) -> None:
    items = [article_payload(external_id=f"cms-{i}", topics=["Batch news"]) for i in range(3)]
    items.append(article_payload(url="https://news.example/no-external-id"))

    first = await send(client, editor, items)
    assert first.status_code == 200
    results = first.json()["results"]
    assert [r["status"] for r in results] == ["created"] * 4
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    ids = [r["id"] for r in results]

    repeat = (await send(client, editor, items)).json()["results"]
    assert [r["status"] for r in repeat] == ["unchanged"] * 4
    assert [r["id"] for r in repeat] == ids

    items[1] = {**items[1], "headline": "Corrected headline"}
    items[3] = {**items[3], "comment_count": 50}
    changed = (await send(client, editor, items)).json()["results"]
    assert [r["status"] for r in changed] == ["unchanged", "updated", "unchanged", "updated"]
    article = (await client.get(f"/v1/articles/{ids[1]}")).json()
    assert article["headline"] == "Corrected headline"

    assert await session.scalar(select(func.count()).select_from(Article)) == 4
    topic = await session.scalar(
        select(Topic).where(Topic.slug == "batch-news").execution_options(populate_existing=True)
    )
    assert topic is not None
    assert topic.article_count == 3


async def test_a_reading_time_the_body_gives_anyway_changes_nothing(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    item = article_payload(external_id="cms-reading-time")  # 460 words: 2 minutes
    created = (await send(client, editor, [item])).json()["results"][0]
    assert created["status"] == "created"
    path = f"/v1/articles/{created['id']}"

    async def status(reading_time: object) -> str:
        results = await send(client, editor, [{**item, "reading_time_minutes": reading_time}])
        return str(results.json()["results"][0]["status"])

    assert await status(2) == "unchanged"
    assert await status(None) == "unchanged"
    assert await status(5) == "updated"
    assert (await client.get(path)).json()["reading_time_minutes"] == 5
    assert await status(5) == "unchanged"
    assert await status(2) == "updated"
    assert (await client.get(path)).json()["reading_time_minutes"] == 2
    assert (await send(client, editor, [item])).json()["results"][0]["status"] == "unchanged"
    assert await status(0) == "error"


async def test_bad_item_fails_alone(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession
) -> None:
    good = article_payload(external_id="good-1")
    bad = article_payload(external_id="bad-1", headline="", topics=[], password="x")
    items: list[object] = [good, bad, "not an object", None, 5, ["a list"]]
    response = await client.post(
        "/v1/articles/batch", headers=editor.headers, json={"articles": items}
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4, 5]
    assert [r["status"] for r in results] == ["created"] + ["error"] * 5
    assert "headline" in results[1]["error"]
    assert "topics" in results[1]["error"]
    for not_an_object in results[2:]:
        assert "object" in not_an_object["error"]
        assert "id" not in not_an_object or not_an_object["id"] is None
    assert await session.scalar(select(func.count()).select_from(Article)) == 1


async def test_url_clash_with_another_article_is_an_item_error(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    taken = article_payload(external_id="a")
    clash = article_payload(external_id="b", url=taken["url"])
    results = (await send(client, editor, [taken, clash])).json()["results"]
    assert [r["status"] for r in results] == ["created", "error"]
    assert "url" in results[1]["error"]


@pytest.mark.parametrize("stored_by", ["an editor", "an earlier item of the batch"])
async def test_an_article_without_an_external_id_takes_the_one_its_url_comes_with(
    client: httpx.AsyncClient, editor: factories.Account, stored_by: str
) -> None:
    bare = article_payload()
    identified = {**bare, "external_id": "cms-1", "headline": "Now from the CMS"}
    if stored_by == "an editor":
        created = await client.post("/v1/articles", headers=editor.headers, json=bare)
        results = (await send(client, editor, [identified])).json()["results"]
        assert [(r["status"], r["id"]) for r in results] == [("updated", created.json()["id"])]
    else:
        results = (await send(client, editor, [bare, identified])).json()["results"]
        assert [r["status"] for r in results] == ["created", "updated"]
        assert results[0]["id"] == results[1]["id"]
    article = (await client.get(f"/v1/articles/{results[-1]['id']}")).json()
    assert (article["external_id"], article["headline"]) == ("cms-1", "Now from the CMS")
    again = (await send(client, editor, [identified])).json()["results"]
    assert [(r["status"], r["id"]) for r in again] == [("unchanged", article["id"])]
    listed = (await client.get("/v1/articles")).json()["items"]
    assert [item["id"] for item in listed] == [article["id"]]


async def test_same_article_twice_in_one_batch(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    first = article_payload(external_id="twice")
    second = {**first, "headline": "Second version"}
    results = (await send(client, editor, [first, second])).json()["results"]
    assert [r["status"] for r in results] == ["created", "updated"]
    assert results[0]["id"] == results[1]["id"]
    article = (await client.get(f"/v1/articles/{results[0]['id']}")).json()
    assert article["headline"] == "Second version"


@pytest.mark.parametrize("named_by", ["external_id", "url"])
async def test_repeating_a_batch_that_names_one_article_twice_changes_nothing(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession, named_by: str
) -> None:
    first = article_payload(external_id="twice" if named_by == "external_id" else None)
    second = {**first, "headline": "Second version"}
    created = (await send(client, editor, [first, second])).json()["results"]
    assert [r["status"] for r in created] == ["created", "updated"]
    article_id = created[0]["id"]
    stored = await client.get(f"/v1/articles/{article_id}")

    async def feed_versions() -> list[int]:
        return list(await session.scalars(select(Topic.feed_version).order_by(Topic.slug)))

    versions = await feed_versions()

    repeat = (await send(client, editor, [first, second])).json()["results"]
    assert [(r["status"], r["id"]) for r in repeat] == [("unchanged", article_id)] * 2
    again = await client.get(f"/v1/articles/{article_id}")
    assert again.headers["etag"] == stored.headers["etag"]
    assert again.json()["updated_at"] == stored.json()["updated_at"]
    assert again.json()["headline"] == "Second version"
    assert await feed_versions() == versions


async def test_retracted_article_is_not_revived(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    item = article_payload(external_id="retract-me")
    article_id = (await send(client, editor, [item])).json()["results"][0]["id"]
    await client.delete(f"/v1/articles/{article_id}", headers=editor.headers)
    result = (await send(client, editor, [item])).json()["results"][0]
    assert result["status"] == "error"
    assert (await client.get(f"/v1/articles/{article_id}")).status_code == 410


async def test_url_too_long_once_normalised_is_an_item_error(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession
) -> None:
    # 1,500 characters, 9,000 once each "é" is percent-encoded: more than the url column holds.
    accented = article_payload(url="https://news.example/" + "é" * 1500)
    items = [article_payload(), accented, article_payload()]
    response = await send(client, editor, items)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "created"]
    assert "url" in results[1]["error"]
    assert "2048" in results[1]["error"]
    assert await session.scalar(select(func.count()).select_from(Article)) == 2


async def test_batch_size_limits(client: httpx.AsyncClient, editor: factories.Account) -> None:
    assert (await send(client, editor, [])).status_code == 422
    too_many = [article_payload(body="short", summary=[], image=None) for _ in range(501)]
    assert (await send(client, editor, too_many)).status_code == 422


async def test_full_batch_of_500(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession
) -> None:
    items = [
        article_payload(external_id=f"bulk-{i}", topics=[f"Topic {i % 7}"], body="short")
        for i in range(500)
    ]
    response = await send(client, editor, items)
    assert response.status_code == 200
    assert {r["status"] for r in response.json()["results"]} == {"created"}
    assert await session.scalar(select(func.count()).select_from(Article)) == 500


async def test_a_batch_stores_articles_as_a_single_create_does(
    client: httpx.AsyncClient, editor: factories.Account, session: AsyncSession
) -> None:
    """Batches write their rows in bulk (on PostgreSQL one statement of arrays per table);
    what is stored, down to each column's text, is what the one-article path stores."""
    content = {
        "topics": ["Bulk news", "Second topic"],
        "authors": ["Li Wei", "Jane Reporter"],
        "summary": ["Café talks", 'A "quoted" point'],
        "credits": ["AFP"],
        "video": None,
        "standfirst": None,
        "editors_pick": True,
    }
    single = await client.post(
        "/v1/articles", headers=editor.headers, json=article_payload(**content)
    )
    assert single.status_code == 201
    batched = await send(client, editor, [article_payload(**content)])
    assert batched.json()["results"][0]["status"] == "created"
    ids = [single.json()["id"], batched.json()["results"][0]["id"]]
    table = Article.__table__
    differ = {"pk", "id", "url", "image", "headline", "content_hash", "created_at"}
    stored = [c for c in table.columns if c.name not in differ and c.name != "search_vector"]
    rows = {
        row[0]: row[1:]
        for row in await session.execute(
            select(
                table.c.id,
                *(func.coalesce(cast(c, Text), "(SQL NULL)") for c in stored),
            ).where(table.c.id.in_(ids))
        )
    }
    assert rows[ids[0]] == rows[ids[1]]
    links = [
        (
            await session.execute(
                select(link.position, getattr(link, key))
                .where(link.article_id == article_id)
                .order_by(link.position)
            )
        ).all()
        for article_id in ids
        for link, key in ((ArticleTopic, "topic_id"), (ArticleAuthor, "author_id"))
    ]
    assert links[:2] == links[2:]
    assert [len(found) for found in links] == [2, 2, 2, 2]


async def test_batches_beyond_the_workers_slots_wait_their_turn_then_get_503(
    settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(settings.model_copy(update={"ingest_concurrency": 2}))
    app.state.database = Database(engine, sessionmaker)
    _, secret = await factories.create_api_key(session, scopes=(Scope.ARTICLES_WRITE,))
    cms = {"X-API-Key": secret}
    writing, most_at_once, release, two_writing = 0, 0, asyncio.Event(), asyncio.Event()

    async def slow_upsert(*_: object) -> list[object]:
        nonlocal writing, most_at_once
        writing += 1
        most_at_once = max(most_at_once, writing)
        if writing == 2:
            two_writing.set()
        await release.wait()
        writing -= 1
        return []

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        body = {"articles": [article_payload()]}
        # The key is verified once, so the batches below wait on nothing but their slots.
        assert (await client.get("/v1/auth/key", headers=cms)).status_code == 200
        monkeypatch.setattr(batch, "upsert_articles", slow_upsert)
        sent = [
            asyncio.create_task(client.post("/v1/articles/batch", headers=cms, json=body))
            for _ in range(5)
        ]
        await two_writing.wait()
        await asyncio.sleep(0.05)  # time for any batch that would get past its slot
        assert (writing, most_at_once) == (2, 2)
        release.set()
        assert [r.status_code for r in await asyncio.gather(*sent)] == [200] * 5
        assert most_at_once == 2

        # A batch that cannot get a slot in time is told to come back, and writes nothing.
        release.clear()
        two_writing.clear()
        app.state.settings = settings.model_copy(
            update={"ingest_concurrency": 2, "ingest_wait_seconds": 0.05}
        )
        holding = [
            asyncio.create_task(client.post("/v1/articles/batch", headers=cms, json=body))
            for _ in range(2)
        ]
        await two_writing.wait()
        monkeypatch.undo()
        refused = await client.post(
            "/v1/articles/batch",
            headers=cms,
            json={"articles": [article_payload(external_id="refused")]},
        )
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "5"
        assert refused.json()["type"].endswith("/busy")
        release.set()
        assert [r.status_code for r in await asyncio.gather(*holding)] == [200, 200]
    stored = await session.scalar(
        select(func.count()).select_from(Article).where(Article.external_id == "refused")
    )
    assert stored == 0


async def test_a_batch_waiting_for_a_slot_has_not_been_read(
    settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Its body is read once it has a slot: a worker fed many batches does not keep them all
    parsed meanwhile. Shown by a body that is not even JSON, refused as busy, not as bad."""
    app = create_app(
        settings.model_copy(update={"ingest_concurrency": 1, "ingest_wait_seconds": 0.05})
    )
    app.state.database = Database(engine, sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        json_type = {"Content-Type": "application/json"}
        await app.state.ingest_slots.acquire()  # a batch being written
        refused = await client.post("/v1/articles/batch", content=b"{not", headers=json_type)
        assert refused.status_code == 503
        assert refused.json()["type"].endswith("/busy")
        app.state.ingest_slots.release()
        read = await client.post("/v1/articles/batch", content=b"{not", headers=json_type)
        assert read.status_code in (401, 422), "read once it has a slot"
        assert not app.state.ingest_slots.locked()


async def test_a_batch_gives_up_its_slot_only_once_committed(
    settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    editor: factories.Account,
) -> None:
    app = create_app(settings.model_copy(update={"ingest_concurrency": 1}))
    app.state.database = Database(engine, sessionmaker)
    slot_held_at_commit: list[bool] = []

    def record(_session: object) -> None:
        slot_held_at_commit.append(app.state.ingest_slots.locked())

    event.listen(Session, "after_commit", record)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await send(client, editor, [article_payload(topics=["Batch news"])])
    finally:
        event.remove(Session, "after_commit", record)
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "created"
    # The batch's own commit, with its topics' rows still locked, happens inside its slot.
    assert slot_held_at_commit[-1] is True
