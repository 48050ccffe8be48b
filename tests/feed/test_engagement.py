"""Engagement as the feed reads it: the database's weighted, faded sums match the ranking's
own definition bucket for bucket."""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Cache
from app.feed import ranking, signals
from app.models import ArticleEngagement
from tests import factories

NOW = datetime(2026, 11, 27, 12, 25, tzinfo=UTC)
WINDOW_HOURS = 48.0
HALF_LIFE = 24.0


async def engaged_articles(session: AsyncSession) -> tuple[list[str], list[dict[str, Any]]]:
    """Three articles (engaged, disliked, quiet) and the engagement buckets written for them."""
    first = await factories.create_article(session, topics=["Diplomacy"])
    second = await factories.create_article(session, topics=["Diplomacy"])
    quiet = await factories.create_article(session, topics=["Diplomacy"])
    hour = NOW.replace(minute=0)
    buckets = {
        # (article, hours before this hour, shard): counters
        (first, 0, 0): {"opens": 3, "reads": 1, "impressions": 40},
        (first, 0, 5): {"opens": 2, "likes": 1},
        (first, 1, 0): {"shares": 2},  # the next hour: events may come minutes early
        (first, -1, 0): {"opens": 4},
        (first, 30, 2): {"reads": 5, "dislikes": 1},
        (first, 47, 7): {"opens": 9},
        (first, 48, 0): {"opens": 100},  # before the window: not counted
        (second, 3, 1): {"dislikes": 6},  # more dislikes than anything else: floored at 0
        (second, 5, 4): {"opens": 1},
    }
    rows: list[dict[str, Any]] = [
        {
            "article_id": article,
            "bucket_start": hour - timedelta(hours=back),
            "shard": shard,
            **dict.fromkeys(ranking.ENGAGEMENT_WEIGHTS, 0),
            **counters,
        }
        for (article, back, shard), counters in buckets.items()
    ]
    await session.execute(insert(ArticleEngagement), rows)
    return [first, second, quiet], rows


async def test_engagement_summed_in_the_database_matches_the_ranking_definition(
    session: AsyncSession,
) -> None:
    (first, second, quiet), rows = await engaged_articles(session)

    found = await signals.engagement_of(
        session, [first, second, quiet], NOW, hours=WINDOW_HOURS, half_life=HALF_LIFE
    )

    cutoff = NOW - timedelta(hours=WINDOW_HOURS)
    for article in (first, second):
        expected = ranking.decayed_engagement(
            [
                (row["bucket_start"], row)
                for row in rows
                if row["article_id"] == article and row["bucket_start"] >= cutoff
            ],
            NOW,
            HALF_LIFE,
        )
        assert found[article] == pytest.approx(expected, rel=1e-9), article
    assert found[first] > 0
    assert found[second] == 0.0
    assert quiet not in found


async def test_recent_engagement_is_read_once_a_minute_for_every_request(
    session: AsyncSession, executed: list[str]
) -> None:
    (first, second, quiet), _ = await engaged_articles(session)
    recent = signals.RecentEngagement()

    def counted() -> int:
        return len(executed)

    exact = await signals.engagement_of(
        session, [first, second, quiet], NOW, hours=WINDOW_HOURS, half_life=HALF_LIFE
    )

    def read(now: datetime, ids: list[str]) -> Awaitable[dict[str, float]]:
        return recent.of(session, ids, now, hours=WINDOW_HOURS, half_life=HALF_LIFE)

    before = counted()
    # The same sums, added up in whatever order the database visits the rows.
    assert await read(NOW, [first, second, quiet]) == pytest.approx(exact, rel=1e-9)
    assert await read(NOW + timedelta(seconds=20), [first]) == pytest.approx({first: exact[first]})
    assert counted() - before == 1, "a second read within the minute costs no statement"

    later = NOW + timedelta(minutes=1)
    assert (await read(later, [first]))[first] < exact[first], "a new minute, faded further"
    assert counted() - before == 2

    stale = await read(later, [second])
    await session.execute(
        update(ArticleEngagement)
        .where(ArticleEngagement.article_id == second)
        .values(opens=ArticleEngagement.opens + 50)
    )
    before = counted()
    assert await read(later, [second]) == stale, "values a minute old at most"
    recent.forget()
    assert (await read(later, [second]))[second] > stale[second]
    assert counted() - before == 1


async def test_engagement_recorded_here_is_read_afresh_for_those_articles_alone(
    session: AsyncSession, executed: list[str]
) -> None:
    (first, second, _), _ = await engaged_articles(session)
    recent = signals.RecentEngagement()

    def read(ids: list[str]) -> Awaitable[dict[str, float]]:
        return recent.of(session, ids, NOW, hours=WINDOW_HOURS, half_life=HALF_LIFE)

    before = await read([first, second])
    await session.execute(
        update(ArticleEngagement)
        .where(ArticleEngagement.article_id == second)
        .values(opens=ArticleEngagement.opens + 50)
    )
    executed.clear()
    recent.engaged([second])
    after = await read([first, second])
    assert after[second] > before[second]
    assert after[first] == before[first]
    # One statement, for the noted article only (not the whole window); the next costs none.
    assert len(executed) == 1
    assert "article_engagement.article_id" in executed[0].split("WHERE", 1)[1]
    assert await read([first, second]) == after
    assert len(executed) == 1


async def test_while_one_request_reads_a_new_minute_the_others_use_the_last_one(
    session: AsyncSession, executed: list[str]
) -> None:
    (first, _, _), _ = await engaged_articles(session)
    recent = signals.RecentEngagement()

    def read(now: datetime) -> Awaitable[dict[str, float]]:
        return recent.of(session, [first], now, hours=WINDOW_HOURS, half_life=HALF_LIFE)

    known = await read(NOW)
    executed.clear()
    # Started together: the first reads the new minute, the second does not queue behind it.
    reading, waiting = await asyncio.gather(
        read(NOW + timedelta(minutes=1)), read(NOW + timedelta(minutes=1))
    )
    assert len(executed) == 1
    assert waiting == known
    assert reading[first] < known[first]
    # Values older than the last minute are not served: the reader waits for fresh ones.
    executed.clear()
    both = await asyncio.gather(read(NOW + timedelta(minutes=5)), read(NOW + timedelta(minutes=5)))
    assert both[0] == both[1]
    assert both[1][first] < reading[first]
    assert len(executed) == 1


async def test_the_most_engaged_list_is_read_once_a_minute_per_process(
    session: AsyncSession, executed: list[str]
) -> None:
    (first, second, _), _ = await engaged_articles(session)
    cache = Cache(None, max_bytes=1_000_000)
    most = signals.MostEngaged()

    def read(now: datetime) -> Awaitable[list[str]]:
        return most.of(session, cache, now, hours=WINDOW_HOURS, limit=10)

    executed.clear()
    known = await read(NOW)
    assert known[0] == first
    assert await read(NOW + timedelta(seconds=30)) == known
    assert len(executed) == 1, "the rest of the minute costs no statement"

    await session.execute(
        update(ArticleEngagement)
        .where(ArticleEngagement.article_id == second)
        .values(opens=ArticleEngagement.opens + 500)
    )
    executed.clear()
    later = NOW + timedelta(minutes=1)
    reading, waiting = await asyncio.gather(read(later), read(later))
    assert len(executed) == 1
    assert waiting == known, "the last minute's list, rather than a second scan"
    assert reading[0] == second
    assert await read(later + timedelta(seconds=5)) == reading
