"""Deleting an account removes every trace of the reader's state."""

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Base
from app.errors import Unauthorized
from app.models import FeedSnapshot, ReaderArticle, ReadingEvent
from app.reader import events
from app.reader.schemas import EventIn
from app.users import service as user_service
from tests import factories


async def test_delete_me_removes_all_reader_state(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    article_id = await factories.create_article(session, topics=["Diplomacy"], authors=["Li Wei"])
    headers = reader.headers
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=headers)
    await client.put("/v1/me/subscriptions/authors/li-wei", headers=headers)
    await client.put("/v1/me/mutes/authors/li-wei", headers=headers)
    await client.put(f"/v1/me/bookmarks/{article_id}", headers=headers)
    await client.put(f"/v1/me/hidden/{article_id}", headers=headers)
    occurred = datetime.now(UTC).isoformat()
    events = [{"id": "e1", "type": "read", "article_id": article_id, "occurred_at": occurred}]
    assert (
        await client.post("/v1/me/events", headers=headers, json={"events": events})
    ).status_code == 202

    assert (await client.delete("/v1/me", headers=headers)).status_code == 204

    for table in Base.metadata.sorted_tables:
        if "user_id" in table.c:
            remaining = await session.scalar(
                select(func.count()).select_from(table).where(table.c.user_id == reader.user.id)
            )
            assert remaining == 0, table.name
    assert (await client.get("/v1/topics/diplomacy")).json()["follower_count"] == 0
    assert (await client.get("/v1/authors/li-wei")).json()["follower_count"] == 0


async def test_a_batch_authenticated_before_the_account_went_records_nothing(
    session: AsyncSession,
) -> None:
    """A batch that was authenticated just before its account was deleted, and reaches the
    database after, is refused: nothing of the reader's comes back."""
    article_id = await factories.create_article(session, topics=["Diplomacy"])
    user = await factories.create_user(session)
    user_id = user.id
    await user_service.delete_user(session, user)
    batch = [
        EventIn.model_validate(
            {
                "id": "late",
                "type": "read",
                "article_id": article_id,
                "occurred_at": "2026-11-27T12:00:00Z",
            }
        )
    ]
    with pytest.raises(Unauthorized):
        await events.record_events(session, user_id, batch, datetime(2026, 11, 27, 12, tzinfo=UTC))
    for model in (ReadingEvent, ReaderArticle):
        remaining = await session.scalar(
            select(func.count()).select_from(model).where(model.user_id == user_id)
        )
        assert remaining == 0, model.__tablename__


async def test_feed_reads_with_the_token_of_a_deleted_account_are_refused(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    """The feed reads no account row of its own: its first statements find the account gone
    (the first page, the latest mode, a cursor's stored ranking), and it answers 401."""
    for number in range(3):
        await factories.create_article(
            session, headline=f"Diplomacy today {number}", topics=["Diplomacy"]
        )
    headers = reader.headers
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=headers)
    first = await client.get("/v1/me/feed", headers=headers, params={"limit": 1})
    cursor = first.json()["next_cursor"]
    assert cursor is not None
    assert (await client.delete("/v1/me", headers=headers)).status_code == 204

    for params in ({}, {"mode": "latest"}, {"cursor": cursor}, {"limit": 1, "cursor": cursor}):
        response = await client.get("/v1/me/feed", headers=headers, params=params)
        assert response.status_code == 401, (params, response.text)
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
    response = await client.get("/v1/me/interests", headers=headers)
    assert response.status_code == 401
    remaining = await session.scalar(
        select(func.count()).select_from(FeedSnapshot).where(FeedSnapshot.user_id == reader.user.id)
    )
    assert remaining == 0
