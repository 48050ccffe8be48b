"""Snapshots: a first page stores its ranking for the cursor to page through, up to a bound."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles.queries import FeedReader
from app.config import Settings
from app.db import dialect_name, new_id
from app.errors import AccountGone
from app.feed import pages, ranking, service
from app.feed.signals import LabelSlugs
from app.models import Author, FeedSnapshot, Topic
from app.topics.service import ensure_labels
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
    snapshot = await service.create_snapshot(
        session, LabelSlugs(), reader.id, ranked, NOW, settings
    )
    assert len(snapshot.items) == service.FEED_LENGTH
    kept = [entry[0] for entry in snapshot.items]
    assert kept == [item.candidate.article_id for item in ranked[: service.FEED_LENGTH]]
    assert snapshot.items[0][2] == [["recent", None, None]]
    stored = await pages.load_window(
        session, snapshot.id, FeedReader(reader.id, NOW), 0, len(ranked)
    )
    assert (stored.total, stored.entries) == (service.FEED_LENGTH, snapshot.items)
    assert stored.created_at == NOW


@pytest.mark.parametrize(
    ("offset", "limit"), [(0, 20), (20, 20), (37, 5), (40, 100), (41, 1), (500, 20)]
)
async def test_a_window_is_the_stored_entries_from_its_offset(
    session: AsyncSession, settings: Settings, offset: int, limit: int
) -> None:
    reader = await factories.create_user(session)
    snapshot = await service.create_snapshot(
        session, LabelSlugs(), reader.id, scored(41), NOW, settings
    )
    window = await pages.load_window(
        session, snapshot.id, FeedReader(reader.id, NOW), offset, limit
    )
    assert window.total == 41
    assert window.entries == snapshot.items[offset : offset + limit]


async def test_a_short_ranking_is_kept_whole(session: AsyncSession, settings: Settings) -> None:
    reader = await factories.create_user(session)
    ranked = scored(7)
    snapshot = await service.create_snapshot(
        session, LabelSlugs(), reader.id, ranked, NOW, settings
    )
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
        await service.create_snapshot(session, LabelSlugs(), reader.id, scored(3), NOW, settings)


async def test_a_new_snapshot_clears_the_reader_s_expired_ones_in_the_same_statement(
    session: AsyncSession, settings: Settings, executed: list[str]
) -> None:
    reader, other = await factories.create_user(session), await factories.create_user(session)
    ttl = timedelta(minutes=settings.feed_snapshot_ttl_minutes)
    slugs = LabelSlugs()
    expired = await service.create_snapshot(session, slugs, reader.id, scored(2), NOW, settings)
    others = await service.create_snapshot(session, slugs, other.id, scored(2), NOW, settings)
    later = NOW + ttl / 2
    kept = await service.create_snapshot(session, slugs, reader.id, scored(2), later, settings)

    assert set(await session.scalars(select(FeedSnapshot.id))) == {expired.id, others.id, kept.id}

    executed.clear()
    newest = await service.create_snapshot(
        session, slugs, reader.id, scored(2), NOW + ttl, settings
    )
    if dialect_name(session) == "postgresql":
        assert len(executed) == 1

    assert set(await session.scalars(select(FeedSnapshot.id))) == {others.id, kept.id, newest.id}


async def test_label_slugs_are_read_once_then_kept(
    session: AsyncSession, executed: list[str]
) -> None:
    """A slug never changes, so a first page reads only those of labels this process has
    not met; unknown ids are left out, and the bound drops what is kept rather than grow."""
    topics = await ensure_labels(session, Topic, ["Arctic shipping", "Grain exports", "Ports"])
    arctic, grain, ports = topics["arctic-shipping"], topics["grain-exports"], topics["ports"]
    petrova = (await ensure_labels(session, Author, ["Ana Petrova"]))["ana-petrova"]
    slugs = LabelSlugs(kept=2)

    async def reads(topic_ids: set[int], author_ids: set[int]) -> int:
        executed.clear()
        await slugs.of(session, topic_ids, author_ids)
        return len(executed)

    found = await slugs.of(session, {arctic, 10**9}, {petrova})
    assert found == ({arctic: "arctic-shipping"}, {petrova: "ana-petrova"})
    assert await reads({arctic}, {petrova}) == 0
    assert await slugs.of(session, {arctic, grain}, set()) == (
        {arctic: "arctic-shipping", grain: "grain-exports"},
        {},
    )
    assert await reads({arctic, grain}, {petrova}) == 0
    # A third topic does not fit beside the two kept: they are dropped, and read again.
    assert await reads({ports}, set()) == 1
    assert await reads({ports}, set()) == 0
    assert await reads({arctic}, set()) == 1
