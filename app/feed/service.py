"""The personalised feed: candidates, ranking, snapshots and pages.

A first page (no cursor) gathers candidates for the reader, ranks them once and stores the
ranking as a snapshot; its cursor walks that snapshot, so later pages never repeat or skip
an article however much arrives meanwhile. The statement count of a request is fixed: it does
not grow with the page size, the number of candidates or the archive. Statements of one shape
are built once and run with their parameters: building and keying a statement again for each
request cost more than some of them take to run.
"""

import functools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from pydantic import TypeAdapter
from sqlalchemy import (
    JSON,
    Delete,
    Insert,
    Integer,
    Select,
    bindparam,
    delete,
    func,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import queries as article_queries
from app.cache import Cache
from app.config import Settings
from app.db import dialect_name, fetch_mappings, json_text, new_id, table_of, write_on_driver
from app.errors import AccountGone, InvalidCursor
from app.feed import ranking, signals
from app.feed.schemas import FeedItem
from app.models import FeedSnapshot, User
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
    items = [
        [item.candidate.article_id, round(item.score, 4), [written[r] for r in item.reasons]]
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
                session, _snapshot_write(), {**values, "items": json_text(items), "now": now}
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


@dataclass(frozen=True)
class SnapshotWindow:
    """Part of a stored ranking: the entries a page starts from, and how many there are."""

    snapshot_id: str
    created_at: datetime
    entries: list[Any]
    total: int


def first_window(snapshot: FeedSnapshot, limit: int) -> SnapshotWindow:
    return SnapshotWindow(
        snapshot.id, snapshot.created_at, snapshot.items[:limit], len(snapshot.items)
    )


@functools.cache
def _window_statement(dialect: str) -> Select[Any]:
    """A reader's snapshot (``snapshot_id``, ``user_id``): when it was made and expires, its
    length, and its entries ``offset`` to ``offset + limit`` as a JSON array, cut out by the
    database, so a page decodes its own few entries, not the whole stored ranking. Built
    once per dialect: a page runs it without building and keying it again."""
    offset = bindparam("offset", type_=Integer)
    end = offset + bindparam("limit", type_=Integer)
    if dialect == "postgresql":
        entries = (
            func.json_array_elements(FeedSnapshot.items)
            .table_valued("value", with_ordinality="position")
            .render_derived()
        )
        window = func.coalesce(
            func.json_agg(aggregate_order_by(entries.c.value, entries.c.position)),
            func.json_build_array(),
        )
        between = select(window).where(entries.c.position > offset, entries.c.position <= end)
    else:
        entries = func.json_each(FeedSnapshot.items).table_valued("key", "value")
        between = select(func.json_group_array(func.json(entries.c.value))).where(
            entries.c.key >= offset, entries.c.key < end
        )
    return select(
        FeedSnapshot.created_at,
        FeedSnapshot.expires_at,
        func.json_array_length(FeedSnapshot.items).label("total"),
        type_coerce(between.scalar_subquery(), JSON).label("entries"),
    ).where(
        FeedSnapshot.id == bindparam("snapshot_id", type_=FeedSnapshot.id.type),
        FeedSnapshot.user_id == bindparam("user_id", type_=FeedSnapshot.user_id.type),
    )


async def load_window(
    session: AsyncSession, snapshot_id: str, user_id: str, now: datetime, offset: int, limit: int
) -> SnapshotWindow:
    """The reader's stored ranking from ``offset``, if it has not expired. The account is
    read only when the snapshot is not found: then it may be the account that is gone."""
    parameters = {"snapshot_id": snapshot_id, "user_id": user_id, "offset": offset, "limit": limit}
    rows = await fetch_mappings(session, _window_statement(dialect_name(session)), parameters)
    row = rows[0] if rows else None
    if row is None and await session.scalar(select(User.id).where(User.id == user_id)) is None:
        # The account's snapshots went with it.
        raise AccountGone()
    if row is None or row["expires_at"] <= now:
        raise InvalidCursor("This feed has expired; request the first page again for a fresh one.")
    return SnapshotWindow(snapshot_id, row["created_at"], row["entries"] or [], row["total"])


# A page's items validated by one call, not one call each.
_FEED_ITEMS = TypeAdapter(list[FeedItem])


async def snapshot_page(
    session: AsyncSession, user_id: str, window: SnapshotWindow, offset: int, *, fresh: bool
) -> tuple[list[FeedItem], int | None]:
    """The window's items, skipping what was retracted or hidden since; the next offset.

    A ``fresh`` window was ranked by this request, which left out what the reader hid.
    """
    ids = [entry[0] for entry in window.entries]
    hidden_by = None if fresh else user_id
    summaries = {
        s.id: s
        for s in await article_queries.load_summaries(session, ids, unless_hidden_by=hidden_by)
    }
    items = _FEED_ITEMS.validate_python(
        [
            {
                "article": summaries[article_id],
                "score": score,
                "reasons": [
                    {"code": code, "topic": topic, "author": author}
                    for code, topic, author in reasons
                ],
            }
            for article_id, score, reasons in window.entries
            if article_id in summaries
        ]
    )
    following = offset + len(window.entries)
    return items, following if following < window.total else None
