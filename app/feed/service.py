"""The personalised feed: candidates, ranking and snapshots (their pages: ``app.feed.pages``).

A first page (no cursor) gathers candidates for the reader, ranks them once and stores the
ranking as a snapshot; its cursor walks that snapshot, so later pages never repeat or skip
an article however much arrives meanwhile. The statement count of a request is fixed: it does
not grow with the page size, the number of candidates or the archive. Statements of one shape
are built once and run with their parameters: building and keying a statement again for each
request cost more than some of them take to run.
"""

import functools
from dataclasses import replace
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy import (
    Delete,
    Insert,
    bindparam,
    delete,
    insert,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Cache
from app.config import Settings
from app.db import compact_json, dialect_name, new_id, table_of, write_on_driver
from app.errors import AccountGone
from app.feed import ranking, signals
from app.models import FeedSnapshot
from app.reader import service as reader_service

# The newest articles of each followed topic and author: 40 each, shared out when a reader
# follows many labels so the ranking stays bounded, but never fewer than 10 per label.
FOLLOWED_CANDIDATES = 400
FOLLOWED_PER_LABEL = 40
FOLLOWED_PER_LABEL_AT_LEAST = 10
INFERRED_TOPICS = 10
INFERRED_PER_TOPIC = 20
TRENDING_CANDIDATES = 100
RECENT_CANDIDATES = 100
EDITORS_PICKS = 20
TRENDING_WINDOW_HOURS = 48.0
# A reader pages through at most this many stories of one ranking; a fresh first page
# ranks again.
FEED_LENGTH = 300


def weights_from(settings: Settings) -> ranking.Weights:
    return ranking.Weights(
        followed_topic=settings.feed_weight_followed_topic,
        followed_author=settings.feed_weight_followed_author,
        inferred_interest=settings.feed_weight_inferred_interest,
        freshness=settings.feed_weight_freshness,
        engagement=settings.feed_weight_engagement,
        editors_pick=settings.feed_weight_editors_pick,
        freshness_half_life_hours=settings.feed_freshness_half_life_hours,
        engagement_smoothing=settings.feed_engagement_smoothing,
    )


def build_profile(
    followed_topics: list[int],
    followed_authors: list[int],
    reader: signals.ReaderSignals,
    now: datetime,
    settings: Settings,
) -> ranking.Profile:
    half_life = settings.feed_interest_half_life_days * 24
    return ranking.Profile(
        followed_topics=frozenset(followed_topics),
        followed_authors=frozenset(followed_authors),
        topic_interest={t: ranking.interest(s, now, half_life) for t, s in reader.topics.items()},
        author_interest={a: ranking.interest(s, now, half_life) for a, s in reader.authors.items()},
    )


def per_followed_label(followed: int) -> int:
    """How many of the newest articles of each followed label become candidates."""
    shared = FOLLOWED_CANDIDATES // max(followed, 1)
    return max(FOLLOWED_PER_LABEL_AT_LEAST, min(FOLLOWED_PER_LABEL, shared))


def is_muted(candidate: ranking.Candidate, topics: set[int], authors: set[int]) -> bool:
    every_topic_muted = bool(candidate.topics) and all(t in topics for t in candidate.topics)
    return every_topic_muted or any(a in authors for a in candidate.authors)


async def rank_for_reader(
    session: AsyncSession,
    cache: Cache,
    shared: signals.SharedSignals,
    user_id: str,
    now: datetime,
    settings: Settings,
    *,
    include_read: bool,
) -> list[ranking.Scored]:
    """The reader's whole ranked feed, minus what they must never see."""
    labels = await reader_service.reader_labels(session, user_id, now)
    followed_topics, followed_authors = labels.followed_topics, labels.followed_authors
    muted_topics, muted_authors = labels.muted_topics, labels.muted_authors
    reader = await signals.reader_signals(session, user_id, now)
    profile = build_profile(followed_topics, followed_authors, reader, now, settings)
    cold_start = not followed_topics and not followed_authors and reader.empty

    inferred = sorted(
        (
            t
            for t, w in profile.topic_interest.items()
            if w > 0 and t not in profile.followed_topics
        ),
        key=lambda t: -profile.topic_interest[t],
    )[:INFERRED_TOPICS]
    weights = weights_from(settings)
    if cold_start:
        # Nothing is known of the reader yet: rank on what is trending and recent only.
        weights = replace(weights, editors_pick=0.0)
    sources = signals.CandidateSources(
        followed_topics=followed_topics,
        followed_authors=followed_authors,
        per_followed=per_followed_label(len(followed_topics) + len(followed_authors)),
        inferred_topics=inferred,
        per_inferred=INFERRED_PER_TOPIC,
        recent=RECENT_CANDIDATES,
        picks=0 if cold_start else EDITORS_PICKS,
    )
    ids = await signals.candidate_ids(session, sources)
    ids.update(
        await shared.most_engaged.of(
            session, cache, now, hours=TRENDING_WINDOW_HOURS, limit=TRENDING_CANDIDATES
        )
    )
    # What the reader read is usually known already (``reader.read``); then only what they
    # hid is looked up.
    known_read = None if include_read else reader.read
    excluded = await signals.excluded_for(
        session, user_id, list(ids), include_read=include_read or known_read is not None
    )
    if known_read is not None:
        excluded |= known_read & ids
    wanted = [i for i in ids if i not in excluded]
    engaged = await shared.engagement.of(
        session,
        wanted,
        now,
        hours=TRENDING_WINDOW_HOURS,
        half_life=settings.feed_engagement_half_life_hours,
    )
    candidates = await shared.facts.candidates(session, wanted, engaged)
    if muted_topics or muted_authors:
        candidates = [c for c in candidates if not is_muted(c, muted_topics, muted_authors)]
    return ranking.build_feed(candidates, profile, now, weights, length=FEED_LENGTH)


@functools.cache
def _clear_expired_statement() -> Delete:
    """Deletes the reader's (``user_id``) snapshots expired by ``now``; built once."""
    return delete(FeedSnapshot).where(
        FeedSnapshot.user_id == bindparam("user_id", type_=FeedSnapshot.user_id.type),
        FeedSnapshot.expires_at <= bindparam("now", type_=FeedSnapshot.expires_at.type),
    )


@functools.cache
def _snapshot_insert() -> Insert:
    """Writes a snapshot, its columns given as parameters; built once."""
    return insert(table_of(FeedSnapshot))


_COLUMNS = ("id", "user_id", "created_at", "expires_at", "items")


@functools.cache
def _snapshot_write() -> Insert:
    """PostgreSQL: the reader's expired snapshots cleared and the new one written, by one
    statement (the clearing a data-modifying WITH); its columns, and ``now``, given as
    parameters. Built once."""
    table = table_of(FeedSnapshot)
    return (
        insert(table)
        .values({column: bindparam(column, type_=table.c[column].type) for column in _COLUMNS})
        .add_cte(_clear_expired_statement().cte("cleared"))
    )


async def create_snapshot(
    session: AsyncSession,
    slugs: signals.LabelSlugs,
    user_id: str,
    ranked: list[ranking.Scored],
    now: datetime,
    settings: Settings,
) -> FeedSnapshot:
    """Store a ranking for paging; the reader's expired snapshots are cleared on the way.
    ``AccountGone`` when the reader's account no longer exists."""
    kept = ranked[:FEED_LENGTH]
    # A few dozen distinct reasons serve hundreds of items: each is written out once.
    reasons = {r for item in kept for r in item.reasons}
    topics, authors = await slugs.of(
        session,
        {r.topic for r in reasons if r.topic is not None},
        {r.author for r in reasons if r.author is not None},
    )
    written = {r: [r.code, topics.get(r.topic or 0), authors.get(r.author or 0)] for r in reasons}
    # Each entry carries its primary topic: a later page diversifies again (``app.feed.pages``).
    items = [
        [
            item.candidate.article_id,
            round(item.score, 4),
            [written[r] for r in item.reasons],
            item.candidate.primary_topic,
        ]
        for item in kept
    ]
    values = {
        "id": new_id(),
        "user_id": user_id,
        "created_at": now,
        "expires_at": now + timedelta(minutes=settings.feed_snapshot_ttl_minutes),
        "items": items,
    }
    # Its one reference is the reader: a violation means the account went while its feed
    # was being ranked.
    if dialect_name(session) == "postgresql":
        try:
            await write_on_driver(
                session, _snapshot_write(), {**values, "items": compact_json(items), "now": now}
            )
        except asyncpg.ForeignKeyViolationError:
            raise AccountGone() from None
        return FeedSnapshot(**values)
    await session.execute(_clear_expired_statement(), {"user_id": user_id, "now": now})
    # Written by a Core insert: the session has nothing to track in a row never changed.
    try:
        await session.execute(_snapshot_insert(), values)
    except IntegrityError:
        raise AccountGone() from None
    return FeedSnapshot(**values)
