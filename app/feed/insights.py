"""Trending articles, and what the feed believes about a reader's interests."""

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import queries as article_queries
from app.cache import Cache
from app.config import Settings
from app.feed import signals
from app.feed.schemas import (
    AuthorInterest,
    Evidence,
    Interests,
    TopicInterest,
    TrendingItem,
)
from app.feed.service import build_profile
from app.models import Author, Topic
from app.reader import service as reader_service
from app.reader.schemas import LabelRef

# Candidates fetched per trending item asked for: engagement is ranked undecayed in the
# database, then decayed here, which can reorder the top.
TRENDING_OVERFETCH = 3


async def trending(
    session: AsyncSession,
    cache: Cache,
    now: datetime,
    settings: Settings,
    *,
    hours: int,
    limit: int,
) -> list[TrendingItem]:
    """Articles by engagement over the last ``hours``, recent engagement counting most."""
    ids = await signals.most_engaged_cached(
        session, cache, now, hours=hours, limit=limit * TRENDING_OVERFETCH
    )
    engagement = await signals.engagement_of(
        session, ids, now, hours=hours, half_life=settings.feed_engagement_half_life_hours
    )
    ranked = sorted((i for i in ids if engagement.get(i, 0) > 0), key=lambda i: (-engagement[i], i))
    summaries = await article_queries.load_summaries(session, ranked[:limit])
    return [TrendingItem(article=s, score=round(engagement[s.id], 4)) for s in summaries]


def _evidence(found: list[tuple[str, datetime]]) -> Evidence:
    counts = Counter(kind for kind, _ in found)
    return Evidence(
        opens=counts["open"],
        reads=counts["read"],
        likes=counts["like"],
        dislikes=counts["dislike"],
        shares=counts["share"],
    )


async def interests(
    session: AsyncSession, user_id: str, now: datetime, settings: Settings
) -> Interests:
    """Each topic and author the ranking weighs for this reader, with the evidence."""
    labels = await reader_service.reader_labels(session, user_id, now)
    followed_topics, followed_authors = labels.followed_topics, labels.followed_authors
    reader = await signals.reader_signals(session, user_id, now)
    profile = build_profile(followed_topics, followed_authors, reader, now, settings)

    topic_ids = set(followed_topics) | set(reader.topics)
    author_ids = set(followed_authors) | set(reader.authors)
    topics = {
        row.id: LabelRef(slug=row.slug, name=row.name)
        for row in await session.execute(
            select(Topic.id, Topic.slug, Topic.name).where(Topic.id.in_(topic_ids))
        )
    }
    authors = {
        row.id: LabelRef(slug=row.slug, name=row.name)
        for row in await session.execute(
            select(Author.id, Author.slug, Author.name).where(Author.id.in_(author_ids))
        )
    }
    topic_items = [
        TopicInterest(
            topic=topics[t],
            weight=round(profile.topic_interest.get(t, 0.0), 4),
            followed=t in profile.followed_topics,
            evidence=_evidence(reader.topics.get(t, [])),
        )
        for t in topic_ids
        if t in topics
    ]
    author_items = [
        AuthorInterest(
            author=authors[a],
            weight=round(profile.author_interest.get(a, 0.0), 4),
            followed=a in profile.followed_authors,
            evidence=_evidence(reader.authors.get(a, [])),
        )
        for a in author_ids
        if a in authors
    ]
    topic_items.sort(key=lambda i: (not i.followed, -i.weight, i.topic.slug))
    author_items.sort(key=lambda i: (not i.followed, -i.weight, i.author.slug))
    return Interests(topics=topic_items, authors=author_items)
