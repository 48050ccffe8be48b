"""Concurrent follows, unfollows and event batches against committed transactions, as in
production."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.auth.security import create_access_token
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models import (
    ApiKey,
    Article,
    ArticleEngagement,
    Author,
    ReaderArticle,
    ReadingEvent,
    Topic,
    TopicSubscription,
    User,
)
from app.reader.recording import SIGNALS
from tests import factories

READERS = 20


@pytest.fixture
async def committed(
    engine: AsyncEngine, settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, list[dict[str, str]]]]:
    """A client whose every request commits, readers with tokens; all removed afterwards."""
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        users = [
            await factories.create_user(session, email=f"concurrent{i}@example.com")
            for i in range(READERS)
        ]
        session.add(Topic(slug="contested", name="Contested"))
    now = datetime.now(UTC)
    headers = [
        {"Authorization": f"Bearer {create_access_token(settings, u.id, now)}"} for u in users
    ]
    app = create_app(settings)
    app.state.database = Database(engine, sessionmaker)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client, headers
    finally:
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(User).where(User.id.in_([u.id for u in users])))
            await session.execute(delete(Topic).where(Topic.slug == "contested"))


async def counts(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as connection:
        followers = await connection.scalar(
            select(Topic.follower_count).where(Topic.slug == "contested")
        )
        subscriptions = await connection.scalar(
            select(func.count())
            .select_from(TopicSubscription)
            .join(Topic, Topic.id == TopicSubscription.topic_id)
            .where(Topic.slug == "contested")
        )
    return int(followers or 0), int(subscriptions or 0)


async def test_concurrent_follows_and_unfollows_keep_count_consistent(
    committed: tuple[httpx.AsyncClient, list[dict[str, str]]], engine: AsyncEngine
) -> None:
    client, headers = committed
    path = "/v1/me/subscriptions/topics/contested"

    # Everyone follows at once, twice over.
    responses = await asyncio.gather(*(client.put(path, headers=h) for h in headers * 2))
    assert {r.status_code for r in responses} == {204}
    assert await counts(engine) == (READERS, READERS)

    # Half unfollow while the others follow again, all at once.
    calls = [
        client.delete(path, headers=h) if i % 2 else client.put(path, headers=h)
        for i, h in enumerate(headers)
    ]
    responses = await asyncio.gather(*calls)
    assert {r.status_code for r in responses} == {204}
    assert await counts(engine) == (READERS // 2, READERS // 2)

    # One reader toggling 20 times concurrently still leaves a consistent count.
    toggles = [
        client.put(path, headers=headers[0]) if i % 2 else client.delete(path, headers=headers[0])
        for i in range(20)
    ]
    responses = await asyncio.gather(*toggles)
    assert {r.status_code for r in responses} == {204}
    followers, subscriptions = await counts(engine)
    assert followers == subscriptions


CONTESTED_ARTICLES = 3
BATCHES_PER_READER = 8


@asynccontextmanager
async def committed_articles(engine: AsyncEngine, count: int) -> AsyncIterator[list[str]]:
    """Articles committed for one test; they go afterwards, with the events of them."""
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        article_ids = [
            await factories.create_article(
                session, topics=["Contested reading"], authors=["Contested Writer"]
            )
            for _ in range(count)
        ]
    try:
        yield article_ids
    finally:
        async with sessionmaker() as session, session.begin():
            for model in (ReadingEvent, ReaderArticle, ArticleEngagement):
                await session.execute(delete(model).where(model.article_id.in_(article_ids)))
            await session.execute(delete(Article).where(Article.id.in_(article_ids)))
            await session.execute(delete(Topic).where(Topic.slug == "contested-reading"))
            await session.execute(delete(Author).where(Author.slug == "contested-writer"))


async def test_concurrent_batches_of_one_reader_count_each_signal_once(
    committed: tuple[httpx.AsyncClient, list[dict[str, str]]], engine: AsyncEngine
) -> None:
    """Two readers each send many batches at once, every batch holding every signal for the
    same articles: each reader counts once per article and signal, and their row for each
    article holds one time per signal and every batch's dwell time."""
    client, headers = committed
    # All in the last hour but one, a minute apart, in whichever order they are written.
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    times = [hour + timedelta(minutes=10 + n) for n in range(BATCHES_PER_READER)]

    def batch(reader: int, number: int) -> dict[str, object]:
        occurred = times[number].isoformat()
        return {
            "events": [
                {
                    "id": f"r{reader}-b{number}-{kind}-{article_id}",
                    "type": kind,
                    "article_id": article_id,
                    "occurred_at": occurred,
                    "dwell_ms": 1000,
                }
                for article_id in article_ids
                for kind in SIGNALS
            ]
        }

    readers = headers[:2]
    async with committed_articles(engine, CONTESTED_ARTICLES) as article_ids:
        responses = await asyncio.gather(
            *(
                client.post("/v1/me/events", headers=h, json=batch(r, n))
                for n in range(BATCHES_PER_READER)
                for r, h in enumerate(readers)
            )
        )
        assert {r.status_code for r in responses} == {202}
        assert {r.json()["accepted"] for r in responses} == {len(SIGNALS) * CONTESTED_ARTICLES}

        async with engine.connect() as connection:
            counters = [counter for _, counter in SIGNALS.values()]
            engagement = (
                await connection.execute(
                    select(
                        ArticleEngagement.article_id,
                        ArticleEngagement.bucket_start,
                        *(func.sum(ArticleEngagement.__table__.c[c]) for c in counters),
                    )
                    .where(ArticleEngagement.article_id.in_(article_ids))
                    .group_by(ArticleEngagement.article_id, ArticleEngagement.bucket_start)
                )
            ).all()
            states = (
                await connection.execute(
                    select(
                        ReaderArticle.article_id,
                        ReaderArticle.opened_at,
                        ReaderArticle.liked_at,
                        ReaderArticle.dwell_ms,
                    ).where(ReaderArticle.article_id.in_(article_ids))
                )
            ).all()
        assert sorted(tuple(row) for row in engagement) == sorted(
            (a, hour, *[len(readers)] * len(counters)) for a in article_ids
        )
        assert len(states) == len(readers) * CONTESTED_ARTICLES
        dwell = BATCHES_PER_READER * 1000 * len(SIGNALS)
        for _, opened_at, liked_at, dwell_ms in states:
            assert opened_at in times
            assert liked_at in times
            assert dwell_ms == dwell


async def test_a_batch_is_recorded_whether_or_not_the_request_already_read_the_database(
    committed: tuple[httpx.AsyncClient, list[dict[str, str]]], engine: AsyncEngine
) -> None:
    """On its own a batch is one statement outside any transaction; a request that has
    already read the database (here: an API key it also sends is looked up) records it in
    the transaction it is in."""
    client, headers = committed
    occurred = datetime.now(UTC).isoformat()
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        api_key, secret = await factories.create_api_key(session, name="Looked up")
    try:
        async with committed_articles(engine, 1) as (article_id,):
            for number, extra in enumerate(({}, {"X-API-Key": secret})):
                event = {"id": f"e{number}", "type": "open", "article_id": article_id}
                response = await client.post(
                    "/v1/me/events",
                    headers=headers[0] | extra,
                    json={"events": [event | {"occurred_at": occurred}]},
                )
                assert response.status_code == 202, response.text
                assert response.json()["accepted"] == 1
            async with engine.connect() as connection:
                recorded = await connection.scalar(
                    select(func.count())
                    .select_from(ReadingEvent)
                    .where(ReadingEvent.article_id == article_id)
                )
            assert recorded == 2
    finally:
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(ApiKey).where(ApiKey.id == api_key.id))


async def test_many_readers_page_through_their_committed_feeds_at_once(
    committed: tuple[httpx.AsyncClient, list[dict[str, str]]], engine: AsyncEngine
) -> None:
    """The feed's statements commit one by one (on PostgreSQL, with no transaction around
    them): each reader's first page stores its ranking, and its cursor pages through it."""
    client, headers = committed
    async with committed_articles(engine, 5):
        firsts = await asyncio.gather(
            *(client.get("/v1/me/feed", headers=h, params={"limit": 2}) for h in headers)
        )
        assert {r.status_code for r in firsts} == {200}
        seconds = await asyncio.gather(
            *(
                client.get(
                    "/v1/me/feed", headers=h, params={"limit": 2, "cursor": r.json()["next_cursor"]}
                )
                for h, r in zip(headers, firsts, strict=True)
            )
        )
        assert {r.status_code for r in seconds} == {200}
        for first, second in zip(firsts, seconds, strict=True):
            shown = [i["article"]["id"] for i in first.json()["items"] + second.json()["items"]]
            assert len(shown) == 4
            assert len(set(shown)) == 4
