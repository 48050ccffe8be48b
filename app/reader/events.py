"""Reading events: recorded once per client id, folded into each reader's state and into
per-article engagement.

A batch costs a fixed handful of statements whatever its size: one insert of the raw events
(duplicates skipped by their client ids), one read and one upsert of the reader's per-article
state, and one upsert of engagement counters. Rows go as parameter lists to statements whose
text does not depend on the batch; the three writes are built once per process, so neither
building them nor compiling them is paid per batch.

Engagement counts a reader once per article and signal, so one reader cannot inflate a story
however many events they send. Counters live in (article, hour, shard) rows, readers spread
over shards by id, so a story everyone is reading is many rows, not one that every writer
queues on.
"""

import functools
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import among, dialect_name, insert_or_ignore, keyset_before, table_of, upsert
from app.models import Article, ArticleEngagement, ReaderArticle, ReadingEvent, User
from app.reader.schemas import EventIn, EventsAccepted, HistoryEntry, RejectedEvent
from app.reader.service import with_articles

MAX_CLOCK_SKEW = timedelta(minutes=5)
ENGAGEMENT_SHARDS = 8

# Event type -> (reader_articles column, engagement counter)
SIGNALS = {
    "impression": ("impressed_at", "impressions"),
    "open": ("opened_at", "opens"),
    "read": ("read_at", "reads"),
    "share": ("shared_at", "shares"),
    "like": ("liked_at", "likes"),
    "dislike": ("disliked_at", "dislikes"),
}
STATE_COLUMNS = [column for column, _ in SIGNALS.values()]
# A reader-article row as a batch reads, folds and writes it.
FOLDED_COLUMNS = [*STATE_COLUMNS, "last_read_at", "dwell_ms"]
READING_TYPES = {"open", "read"}


def shard_of(user_id: str) -> int:
    return zlib.crc32(user_id.encode()) % ENGAGEMENT_SHARDS


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class BatchWrites:
    """A batch's writes; their text does not depend on the batch (rows are parameters)."""

    new_events: Any  # the raw events, duplicates skipped; returns the client ids inserted
    states: Any  # reader-article rows, as folded
    engagement: Any  # counters, added to


@functools.cache
def batch_writes(dialect: str) -> BatchWrites:
    """Built once per dialect and process, as their compiled forms are cached."""
    events = table_of(ReadingEvent)
    states = table_of(ReaderArticle)
    engagement = table_of(ArticleEngagement)
    return BatchWrites(
        new_events=insert_or_ignore(dialect, events).returning(events.c.client_event_id),
        states=upsert(
            dialect,
            states,
            ["user_id", "article_id"],
            lambda new: {c: new[c] for c in FOLDED_COLUMNS},
        ),
        engagement=upsert(
            dialect,
            engagement,
            ["article_id", "bucket_start", "shard"],
            lambda new: {c: engagement.c[c] + new[c] for _, c in SIGNALS.values()},
        ),
    )


@dataclass
class ReaderState:
    """A reader's row for one article, as it will be written."""

    values: dict[str, Any]
    changed: bool = False
    newly_set: set[str] = field(default_factory=set)


async def _screen(
    session: AsyncSession, events: Sequence[EventIn], now: datetime
) -> tuple[list[tuple[int, EventIn]], list[RejectedEvent]]:
    """Events that may be recorded, and the others with their reasons."""
    article_ids = {event.article_id for event in events}
    rows = await session.execute(
        select(Article.id, Article.retracted_at.is_not(None)).where(
            among(session, Article.id, article_ids)
        )
    )
    retracted: dict[str, bool] = dict(rows.all())
    accepted: list[tuple[int, EventIn]] = []
    rejected: list[RejectedEvent] = []
    for index, event in enumerate(events):
        reason = None
        if event.occurred_at > now + MAX_CLOCK_SKEW:
            reason = "occurred_at is more than 5 minutes in the future"
        elif event.article_id not in retracted:
            reason = "unknown article"
        elif retracted[event.article_id]:
            reason = "the article has been retracted"
        if reason is None:
            accepted.append((index, event))
        else:
            rejected.append(RejectedEvent(index=index, reason=reason))
    return accepted, rejected


async def _insert_new_events(
    session: AsyncSession, user_id: str, events: list[EventIn], now: datetime
) -> list[EventIn]:
    """Store the events not seen before; return those (retries and repeats are skipped)."""
    first_by_id: dict[str, EventIn] = {}
    for event in events:
        first_by_id.setdefault(event.id, event)
    if not first_by_id:
        return []
    inserted = await session.execute(
        batch_writes(dialect_name(session)).new_events,
        [
            {
                "user_id": user_id,
                "client_event_id": event.id,
                "type": event.type,
                "article_id": event.article_id,
                "occurred_at": event.occurred_at,
                "dwell_ms": event.dwell_ms,
                "received_at": now,
            }
            for event in first_by_id.values()
        ],
    )
    new_ids = set(inserted.scalars().all())
    return [event for event_id, event in first_by_id.items() if event_id in new_ids]


async def _fold(
    session: AsyncSession, user_id: str, events: list[EventIn]
) -> dict[str, ReaderState]:
    """Each affected article's reader state with these events applied."""
    article_ids = sorted({event.article_id for event in events})
    table = table_of(ReaderArticle)
    existing = await session.execute(
        select(table.c.article_id, *(table.c[c] for c in FOLDED_COLUMNS)).where(
            table.c.user_id == user_id, among(session, table.c.article_id, article_ids)
        )
    )
    states: dict[str, ReaderState] = {}
    for article_id, *row in existing:
        states[article_id] = ReaderState(values=dict(zip(FOLDED_COLUMNS, row, strict=True)))
    for article_id in article_ids:
        if article_id not in states:
            values = dict.fromkeys([*STATE_COLUMNS, "last_read_at"]) | {"dwell_ms": 0}
            states[article_id] = ReaderState(values=values, changed=True)
    for event in sorted(events, key=lambda e: e.occurred_at):
        state = states[event.article_id]
        column, _ = SIGNALS[event.type]
        if state.values[column] is None:
            state.values[column] = event.occurred_at
            state.newly_set.add(event.type)
            state.changed = True
        if event.type in READING_TYPES:
            last = state.values["last_read_at"]
            if last is None or event.occurred_at > last:
                state.values["last_read_at"] = event.occurred_at
                state.changed = True
        if event.dwell_ms:
            state.values["dwell_ms"] += event.dwell_ms
            state.changed = True
    return states


async def _write_states(
    session: AsyncSession, user_id: str, states: dict[str, ReaderState]
) -> None:
    """New and changed rows in one statement; the batch holds the reader's lock, so what it
    read and folded is what it writes."""
    rows = [
        {"user_id": user_id, "article_id": a, **s.values} for a, s in states.items() if s.changed
    ]
    if rows:
        await session.execute(batch_writes(dialect_name(session)).states, rows)


async def _count_engagement(
    session: AsyncSession, user_id: str, states: dict[str, ReaderState]
) -> None:
    counts: Counter[tuple[str, datetime, str]] = Counter()
    for article_id, state in states.items():
        for event_type in state.newly_set:
            column, counter = SIGNALS[event_type]
            counts[(article_id, hour_of(state.values[column]), counter)] += 1
    if not counts:
        return
    shard = shard_of(user_id)
    rows: dict[tuple[str, datetime], dict[str, Any]] = {}
    for (article_id, bucket, counter), n in counts.items():
        row = rows.setdefault(
            (article_id, bucket),
            {"article_id": article_id, "bucket_start": bucket, "shard": shard}
            | dict.fromkeys((c for _, c in SIGNALS.values()), 0),
        )
        row[counter] += n
    # Sorted, so concurrent writers take row locks in one order and cannot deadlock.
    ordered = [rows[key] for key in sorted(rows)]
    await session.execute(batch_writes(dialect_name(session)).engagement, ordered)


async def record_events(
    session: AsyncSession, user_id: str, events: Sequence[EventIn], now: datetime
) -> EventsAccepted:
    """Record a batch of the reader's events; safe to send again."""
    if dialect_name(session) == "postgresql":
        # One batch at a time per reader (readers never wait on each other), so folding
        # their state is free of races without locking any shared row.
        await session.execute(select(User.id).where(User.id == user_id).with_for_update())
    screened, rejected = await _screen(session, events, now)
    candidates = [event for _, event in screened]
    new_events = await _insert_new_events(session, user_id, candidates, now)
    if new_events:
        states = await _fold(session, user_id, new_events)
        await _write_states(session, user_id, states)
        await _count_engagement(session, user_id, states)
    return EventsAccepted(
        accepted=len(new_events), duplicates=len(candidates) - len(new_events), rejected=rejected
    )


async def history(
    session: AsyncSession, user_id: str, *, limit: int, after: tuple[datetime, str] | None
) -> tuple[list[HistoryEntry], tuple[datetime, str] | None]:
    """Articles the reader opened or read, most recent first."""
    statement = (
        select(ReaderArticle.article_id, ReaderArticle.last_read_at)
        .join(Article, Article.id == ReaderArticle.article_id)
        .where(
            ReaderArticle.user_id == user_id,
            ReaderArticle.last_read_at.is_not(None),
            Article.retracted_at.is_(None),
        )
    )
    if after is not None:
        statement = statement.where(
            keyset_before((ReaderArticle.last_read_at, ReaderArticle.article_id), after)
        )
    statement = statement.order_by(
        ReaderArticle.last_read_at.desc(), ReaderArticle.article_id.desc()
    ).limit(limit + 1)
    rows = (await session.execute(statement)).all()
    return await with_articles(rows, limit, session, HistoryEntry, "last_read_at")
