"""Deleting an account removes every trace of the reader's state."""

from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Base
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
