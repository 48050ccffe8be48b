"""Engagement as the feed reads it: the database's weighted, faded sums match the ranking's
own definition bucket for bucket."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.feed import ranking, signals
from app.models import ArticleEngagement
from tests import factories

NOW = datetime(2026, 11, 27, 12, 25, tzinfo=UTC)
WINDOW_HOURS = 48.0
HALF_LIFE = 24.0


async def test_engagement_summed_in_the_database_matches_the_ranking_definition(
    session: AsyncSession,
) -> None:
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
