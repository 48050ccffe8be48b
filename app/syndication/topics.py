"""The topic a partner feed is served for, as this worker last read it.

Partners poll constantly and most polls end in 304, decided by the topic's feed version alone.
A worker reads the feed versions of the topics it serves at most every
``feed_topic_cache_seconds``, all in one statement: the feeds tell every cache on the way
that a copy may be served for 60 seconds, so a few seconds more here promises nothing the
response has not already allowed. A request that changes a topic's feed makes its own
worker read its topics afresh once it commits (``ChangesTopicFeeds``); other workers and
processes see the change within that time.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from cachetools import LRUCache
from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import SessionDep, after_commit, among
from app.errors import NotFound
from app.models import Topic

TOPICS_KEPT = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedTopic:
    """What a topic feed's validators and channel need of the topic."""

    id: int
    slug: str
    name: str
    description: str | None
    feed_version: int
    feed_updated_at: datetime
    # When this worker read it (its FeedTopics' clock): what is served of it is that old.
    read_at: float = field(default=-math.inf, compare=False)

    @cached_property
    def revision(self) -> str:
        """The feed's version and the moment it was set, which keys what is rendered of it:
        a database restored from a backup counts versions again, but never again from the
        moments they were first set, so nothing kept from before the restore is served."""
        since_epoch = (self.feed_updated_at - EPOCH) // timedelta(microseconds=1)
        return f"{self.feed_version}.{since_epoch}"


COLUMNS = (
    Topic.id,
    Topic.slug,
    Topic.name,
    Topic.description,
    Topic.feed_version,
    Topic.feed_updated_at,
)


class FeedTopics:
    """The topics this worker has served lately, by slug.

    Every ``seconds`` the first request reads all of them again in one statement (0: every
    request reads its topic); a topic not seen before is read alone. A poll of a known topic
    between two reads costs no statement at all.
    """

    def __init__(
        self,
        seconds: float,
        *,
        kept: int = TOPICS_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._clock = clock
        self._known: LRUCache[str, FeedTopic] = LRUCache(maxsize=kept)
        self._read_at = -math.inf

    def age(self, topic: FeedTopic) -> timedelta:
        """How long ago this worker read ``topic``: what it serves of it may be that stale."""
        return timedelta(seconds=max(0.0, self._clock() - topic.read_at))

    async def get(self, session: AsyncSession, slug: str) -> FeedTopic:
        """The topic of ``slug``; NotFound when there is none (never remembered)."""
        if self._seconds <= 0:
            return await self._read_one(session, slug)
        if self._clock() >= self._read_at + self._seconds:
            await self._read_known(session)
        topic = self._known.get(slug)
        if topic is None:
            topic = self._known[slug] = await self._read_one(session, slug)
        return topic

    def known(self, slug: str) -> FeedTopic | None:
        """The topic of ``slug`` as ``get`` would give it without reading anything, if it can:
        None when the topic is not known here or it is time to read the topics again."""
        if self._seconds <= 0 or self._clock() >= self._read_at + self._seconds:
            return None
        return self._known.get(slug)

    async def _read_one(self, session: AsyncSession, slug: str) -> FeedTopic:
        began = self._clock()
        row = (await session.execute(select(*COLUMNS).where(Topic.slug == slug))).one_or_none()
        if row is None:
            raise NotFound(f"No topic {slug!r}.")
        return FeedTopic(*row, read_at=began)

    async def _read_known(self, session: AsyncSession) -> None:
        # Noted first, so that requests arriving meanwhile serve what is known, not read too.
        began = self._read_at = self._clock()
        slugs = list(self._known)
        if not slugs:
            return
        rows = await session.execute(select(*COLUMNS).where(among(session, Topic.slug, slugs)))
        fresh = {row.slug: FeedTopic(*row, read_at=began) for row in rows}
        for slug in slugs:
            if slug in fresh:
                self._known[slug] = fresh[slug]
            else:  # renamed or gone
                self._known.pop(slug, None)

    def forget(self) -> None:
        """Read every topic afresh: this worker has just changed some topic's feed."""
        self._read_at = -math.inf

    def expire(self, at: float) -> None:
        """As if the monotonic clock read ``at``: read again when the interval has passed."""
        if at >= self._read_at + self._seconds:
            self._read_at = -math.inf


def feed_topics(request: Request) -> FeedTopics:
    """This worker's topics (the app keeps one)."""
    topics: FeedTopics = request.app.state.feed_topics
    return topics


async def _forget_topics_after_commit(request: Request, session: SessionDep) -> None:
    after_commit(session, feed_topics(request).forget)


# For routes whose writes change topic feeds: this worker serves the new versions at once.
ChangesTopicFeeds = Depends(_forget_topics_after_commit)
