"""Concurrent follows and unfollows against committed transactions, as in production."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.auth.security import create_access_token
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models import Topic, TopicSubscription, User
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
