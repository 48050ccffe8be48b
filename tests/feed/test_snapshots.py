"""Snapshots: a first page stores its ranking for the cursor to page through, up to a bound."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import new_id
from app.errors import AccountGone
from app.feed import ranking, service
from tests import factories

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def scored(count: int) -> list[ranking.Scored]:
    return [
        ranking.Scored(
            ranking.Candidate(article_id=new_id(), published_at=NOW, topics=()),
            score=float(count - n),
            reasons=(ranking.Reason("recent"),),
        )
        for n in range(count)
    ]


async def test_a_snapshot_keeps_the_best_feed_length_stories_in_order(
    session: AsyncSession, settings: Settings
) -> None:
    reader = await factories.create_user(session)
    ranked = scored(service.FEED_LENGTH + 25)
    snapshot = await service.create_snapshot(session, reader.id, ranked, NOW, settings)
    assert len(snapshot.items) == service.FEED_LENGTH
    kept = [entry[0] for entry in snapshot.items]
    assert kept == [item.candidate.article_id for item in ranked[: service.FEED_LENGTH]]
    assert snapshot.items[0][2] == [["recent", None, None]]
    stored = await service.load_window(session, snapshot.id, reader.id, NOW, 0, len(ranked))
    assert (stored.total, stored.entries) == (service.FEED_LENGTH, snapshot.items)
    assert stored.created_at == NOW


async def test_a_short_ranking_is_kept_whole(session: AsyncSession, settings: Settings) -> None:
    reader = await factories.create_user(session)
    ranked = scored(7)
    snapshot = await service.create_snapshot(session, reader.id, ranked, NOW, settings)
    assert [entry[0] for entry in snapshot.items] == [i.candidate.article_id for i in ranked]


async def test_a_ranking_for_an_account_deleted_meanwhile_is_refused_not_failed(
    session: AsyncSession, settings: Settings
) -> None:
    """A first page ranked while its reader deleted the account stores nothing and answers
    401, not a database error."""
    reader = await factories.create_user(session)
    await session.delete(reader)
    await session.flush()
    with pytest.raises(AccountGone):
        await service.create_snapshot(session, reader.id, scored(3), NOW, settings)
