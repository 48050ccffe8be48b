"""Feed pages made from summaries kept per article version: exactly what serializing the
page would give, and never an article's earlier content, a retracted article, or (beyond the
interval) a topic's earlier name."""

from datetime import UTC, datetime, timedelta
from typing import get_args

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles.kept import KeptSummaries
from app.articles.schemas import ArticleSummary
from app.clock import current_time
from app.db import dialect_name
from app.feed.pages import _item
from app.feed.schemas import FeedItem, FeedPage, ReasonCode, ReasonOut
from app.models import Article, Topic
from tests import factories

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(app: FastAPI) -> None:
    app.dependency_overrides[current_time] = lambda: NOW


@pytest.fixture
def clock(app: FastAPI) -> factories.Clock:
    clock = factories.Clock()
    app.state.kept_summaries = KeptSummaries(seconds=60, clock=clock)
    return clock


def ago(hours: float) -> str:
    return (NOW - timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


async def followed_stories(
    session: AsyncSession, client: httpx.AsyncClient, reader: factories.Account, count: int
) -> list[str]:
    stories = [
        await factories.create_article(
            session, topics=["Diplomacy"], authors=["Ann Writer"], published_at=ago(n + 1)
        )
        for n in range(count)
    ]
    followed = await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    assert followed.status_code == 204
    return stories


async def page(
    client: httpx.AsyncClient, reader: factories.Account, **params: str | int
) -> dict[str, dict[str, object]]:
    """The page's articles by id (and asserts its bytes are those of a FeedPage)."""
    response = await client.get("/v1/me/feed", headers=reader.headers, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    model = FeedPage.model_validate_json(response.content)
    assert response.content == model.model_dump_json().encode()
    assert all(item.reasons for item in model.items)
    return {item["article"]["id"]: item["article"] for item in response.json()["items"]}


async def test_a_page_is_exactly_the_feed_page_it_stands_for(
    session: AsyncSession, client: httpx.AsyncClient, reader: factories.Account
) -> None:
    stories = await followed_stories(session, client, reader, 3)
    first = await client.get("/v1/me/feed", headers=reader.headers, params={"limit": 2})
    model = FeedPage.model_validate_json(first.content)
    assert first.content == model.model_dump_json().encode()
    assert model.next_cursor is not None
    assert model.generated_at == NOW
    cursor: dict[str, str | int] = {"cursor": str(model.next_cursor), "limit": 2}
    assert [*await page(client, reader, limit=2), *await page(client, reader, **cursor)] == stories
    # Kept summaries make the same page again.
    assert list(await page(client, reader, **cursor)) == stories[2:]


async def test_a_correction_shows_at_once_whichever_process_made_it(
    session: AsyncSession,
    client: httpx.AsyncClient,
    reader: factories.Account,
    editor: factories.Account,
) -> None:
    [story] = await followed_stories(session, client, reader, 1)
    assert (await page(client, reader))[story]["headline"] != "Corrected"
    corrected = await client.patch(
        f"/v1/articles/{story}", headers=editor.headers, json={"headline": "Corrected"}
    )
    assert corrected.status_code == 200
    assert (await page(client, reader))[story]["headline"] == "Corrected"
    # As another process writes it: new content, new hash, nothing forgotten here.
    await session.execute(
        update(Article)
        .where(Article.id == story)
        .values(headline="Corrected again", content_hash="another version")
    )
    await session.flush()
    assert (await page(client, reader))[story]["headline"] == "Corrected again"


async def test_a_retracted_story_leaves_pages_made_from_kept_summaries(
    session: AsyncSession,
    client: httpx.AsyncClient,
    reader: factories.Account,
    editor: factories.Account,
) -> None:
    stories = await followed_stories(session, client, reader, 3)
    first = await client.get("/v1/me/feed", headers=reader.headers, params={"limit": 1})
    cursor = first.json()["next_cursor"]
    assert list(await page(client, reader)) == stories  # all three kept
    retracted = await client.delete(f"/v1/articles/{stories[1]}", headers=editor.headers)
    assert retracted.status_code == 204
    assert list(await page(client, reader, cursor=cursor)) == [stories[2]]
    assert list(await page(client, reader)) == [stories[0], stories[2]]


async def test_a_correction_reaches_next_pages_made_from_kept_summaries(
    session: AsyncSession, client: httpx.AsyncClient, reader: factories.Account
) -> None:
    stories = await followed_stories(session, client, reader, 3)
    first = await client.get("/v1/me/feed", headers=reader.headers, params={"limit": 1})
    cursor = first.json()["next_cursor"]
    before = await page(client, reader, cursor=cursor)  # now kept
    assert list(before) == stories[1:]
    await session.execute(
        update(Article)
        .where(Article.id == stories[1])
        .values(headline="Corrected elsewhere", content_hash="another version")
    )
    await session.flush()
    later = await page(client, reader, cursor=cursor)
    assert later[stories[1]]["headline"] == "Corrected elsewhere"
    assert later[stories[2]] == before[stories[2]]


async def test_a_next_page_of_kept_summaries_reads_nothing_but_its_window(
    session: AsyncSession,
    client: httpx.AsyncClient,
    reader: factories.Account,
    app: FastAPI,
    executed: list[str],
) -> None:
    """On PostgreSQL the statement that reads the page's part of the ranking also says which
    of its articles are live, and their versions; SQLite reads them, whole, in a second
    statement. Either way, summaries not kept are rendered from their rows and their labels'
    names: three statements in all."""
    stories = await followed_stories(session, client, reader, 3)
    first = await client.get("/v1/me/feed", headers=reader.headers, params={"limit": 1})
    cursor = first.json()["next_cursor"]
    assert list(await page(client, reader, cursor=cursor)) == stories[1:]
    executed.clear()
    assert list(await page(client, reader, cursor=cursor)) == stories[1:]
    window = 1 if dialect_name(session) == "postgresql" else 2
    assert len(executed) == window, executed
    app.state.kept_summaries.forget()
    executed.clear()
    assert list(await page(client, reader, cursor=cursor)) == stories[1:]
    assert len(executed) == 3, executed


async def test_a_renamed_topic_shows_at_once_here_and_within_the_interval_elsewhere(
    session: AsyncSession,
    client: httpx.AsyncClient,
    reader: factories.Account,
    editor: factories.Account,
    clock: factories.Clock,
) -> None:
    [story] = await followed_stories(session, client, reader, 1)

    async def topic_names() -> list[object]:
        topics = (await page(client, reader))[story]["topics"]
        assert isinstance(topics, list)
        return [topic["name"] for topic in topics]

    assert await topic_names() == ["Diplomacy"]
    renamed = await client.patch(
        "/v1/topics/diplomacy", headers=editor.headers, json={"name": "World diplomacy"}
    )
    assert renamed.status_code == 200
    assert await topic_names() == ["World diplomacy"]
    # As another process renames it: this one serves the name it knows, for a while.
    await session.execute(update(Topic).where(Topic.slug == "diplomacy").values(name="Statecraft"))
    await session.flush()
    clock.now += 29
    assert await topic_names() == ["World diplomacy"]
    clock.now += 1  # renderings expire, and the kept topics' names are due to be read again
    assert await topic_names() == ["Statecraft"]


SUMMARY = {
    "id": "a1",
    "external_id": None,
    "url": "https://news.example/a1",
    "headline": "Talks resume",
    "standfirst": None,
    "summary": ["One", "Two"],
    "section": None,
    "topics": [{"slug": "diplomacy", "name": "Diplomacy"}],
    "authors": [],
    "credits": [],
    "image": None,
    "video": None,
    "language": "en",
    "region": None,
    "published_at": NOW,
    "updated_at": NOW,
    "comment_count": 0,
    "reading_time_minutes": 1,
    "editors_pick": False,
}
REASON_CODES = list(get_args(ReasonCode))
reasons = st.lists(
    st.tuples(
        st.sampled_from(REASON_CODES),
        st.one_of(st.none(), st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)),
        st.one_of(st.none(), st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)),
    ),
    min_size=1,
    max_size=6,
)


@given(
    score=st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**6), 10**6)),
    reasons=reasons,
)
def test_an_item_is_what_serializing_a_feed_item_gives(
    score: float, reasons: list[tuple[str, str | None, str | None]]
) -> None:
    summary = ArticleSummary.model_validate(SUMMARY)
    item = FeedItem(
        article=summary,
        score=score,
        reasons=[ReasonOut(code=c, topic=t, author=a) for c, t, a in reasons],
    )
    rendered = _item(summary.model_dump_json().encode(), score, [list(r) for r in reasons])
    assert rendered == item.model_dump_json().encode()
