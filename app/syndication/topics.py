"""The topic a partner feed is served for, as this worker last read it.

Partners poll constantly and most polls end in 304, decided by the topic's feed version alone.
A worker reads a topic's feed version at most every ``feed_topic_cache_seconds``: the feeds
tell every cache on the way that a copy may be served for 60 seconds, so a few seconds more
here promises nothing the response has not already allowed. A request that changes a topic's
feed makes its own worker read it afresh once it commits (``ChangesTopicFeeds``); other
workers and processes see the change within that time.
"""

from dataclasses import dataclass
from datetime import datetime

from cachetools import TTLCache
from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import SessionDep, after_commit
from app.errors import NotFound
from app.models import Topic

TOPICS_KEPT = 10_000


@dataclass(frozen=True)
class FeedTopic:
    """What a topic feed's validators and channel need of the topic."""

    id: int
    slug: str
    name: str
    description: str | None
    feed_version: int
    feed_updated_at: datetime


class FeedTopics:
    """Topics by slug, each read at most once per ``seconds`` by this worker (0: every time)."""

    def __init__(self, seconds: float, *, kept: int = TOPICS_KEPT) -> None:
        self._known: TTLCache[str, FeedTopic] | None = (
            TTLCache(maxsize=kept, ttl=seconds) if seconds > 0 else None
        )

    async def get(self, session: AsyncSession, slug: str) -> FeedTopic:
        """The topic of ``slug``; NotFound when there is none (never remembered)."""
        topic = None if self._known is None else self._known.get(slug)
        if topic is None:
            row = (
                await session.execute(
                    select(
                        Topic.id,
                        Topic.slug,
                        Topic.name,
                        Topic.description,
                        Topic.feed_version,
                        Topic.feed_updated_at,
                    ).where(Topic.slug == slug)
                )
            ).one_or_none()
            if row is None:
                raise NotFound(f"No topic {slug!r}.")
            topic = FeedTopic(*row)
            if self._known is not None:
                self._known[slug] = topic
        return topic

    def forget(self) -> None:
        """Read every topic afresh: this worker has just changed some topic's feed."""
        if self._known is not None:
            self._known.clear()

    def expire(self, at: float) -> None:
        """Drop what is older than its time by the monotonic clock reading ``at``."""
        if self._known is not None:
            self._known.expire(at)


def feed_topics(request: Request) -> FeedTopics:
    """This worker's topics (the app keeps one)."""
    topics: FeedTopics = request.app.state.feed_topics
    return topics


async def _forget_topics_after_commit(request: Request, session: SessionDep) -> None:
    after_commit(session, feed_topics(request).forget)


# For routes whose writes change topic feeds: this worker serves the new versions at once.
ChangesTopicFeeds = Depends(_forget_topics_after_commit)
