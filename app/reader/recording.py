"""How a batch of reading events is stored: the raw events, each reader's state per
article, and per-article engagement.

Engagement counts a reader once per article and signal, so one reader cannot inflate a story
however many events they send. Counters live in (article, hour, shard) rows, readers spread
over shards by id, so a story everyone is reading is many rows, not one that every writer
queues on.

PostgreSQL records a batch in one statement (``record_statement``), its columns as
parameters, run by the driver itself (on the session's connection on the route, on a pooled
one before routing). SQLite takes a fixed handful: one insert of the raw events (duplicates
skipped by their client ids), one read and one upsert of the reader's per-article state, and
one upsert of engagement counters, built once per process with rows as parameter lists.
"""

import functools
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone, tzinfo
from typing import Any

from pydantic_core import TzInfo
from sqlalchemy import TextClause, delete, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.db import (
    among,
    dialect_name,
    fetch_row_on_driver,
    insert_or_ignore,
    table_of,
    upsert,
)
from app.models import ArticleEngagement, ReaderArticle, ReadingEvent
from app.reader.schemas import EventIn

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
    """The start of the UTC hour holding ``moment`` (clients may send any offset)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


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


async def insert_new_events(
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


async def fold_into_state(session: AsyncSession, user_id: str, events: list[EventIn]) -> None:
    """Fold newly recorded events into the reader's rows and the articles' engagement, in
    three statements; the caller holds what serializes the reader's batches."""
    states = await _fold(session, user_id, events)
    await _write_states(session, user_id, states)
    await _count_engagement(session, user_id, states)


# A batch travels to ``record_statement`` as text, not arrays: the driver encodes an array
# element by element through Python, and a batch of 50 events' six arrays took a third of the
# worker's instructions for the whole request. Each column's values are joined by a control
# character that no text a client sends holds (``app.schemas.PLAIN_TEXT``); times go as
# naive UTC times.
SEPARATOR = "\x1f"
# A number that is not there, among joined numbers (texts are split without it).
MISSING = "null"
# Zones of one offset all year, as pydantic gives every time a client sends. Two times in one
# such zone object compare and subtract by their fields alone; in two zones, through each
# zone's ``utcoffset``, which for pydantic's zones costs more than the comparison itself.
FIXED_OFFSETS = (TzInfo, timezone)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NAIVE_EPOCH = datetime(1970, 1, 1)


def joined(texts: list[str]) -> str:
    """Texts as one parameter, which ``record_statement`` splits back into them."""
    text_ = SEPARATOR.join(texts)
    # They split back as they are unless one holds the separator, or a lone one is empty
    # (validated ids are neither).
    if texts and (text_.count(SEPARATOR) != len(texts) - 1 or not text_):
        raise ValueError("texts that would not split back as they are")
    return text_


def joined_numbers(numbers: list[int | None]) -> str:
    """Numbers, and ``MISSING`` ones, as one parameter."""
    return SEPARATOR.join([MISSING if number is None else str(number) for number in numbers])


def in_zone(moment: datetime, zone: tzinfo | None) -> datetime:
    """``moment`` in ``zone`` if that is a fixed offset, so that a time in it compares with
    it and subtracts from it by their fields; else ``moment`` as it is."""
    return moment.astimezone(zone) if isinstance(zone, FIXED_OFFSETS) else moment


def naive_utc(moments: list[datetime]) -> list[datetime]:
    """Aware times as naive UTC times, which the driver sends for a sixth of the work of an
    aware one (that goes through its zone's ``utcoffset`` three times)."""
    zone: tzinfo | None = None
    epoch = EPOCH
    naive = []
    for moment in moments:
        if moment.tzinfo is not zone:
            zone = moment.tzinfo
            epoch = in_zone(EPOCH, zone)
        naive.append(NAIVE_EPOCH + (moment - epoch))
    return naive


def _split(parameter: str, numbers: str | None = None) -> str:
    """A sub-select of the array a joined parameter holds: of texts, or of ``numbers`` (a
    type) with ``MISSING`` ones null."""
    separator = f"chr({ord(SEPARATOR)})"
    if numbers is None:
        return f"SELECT string_to_array(CAST({parameter} AS text), {separator})"
    items = f"string_to_array(CAST({parameter} AS text), {separator}, '{MISSING}')"
    return f"SELECT CAST({items} AS {numbers}[])"


@functools.cache
def record_statement() -> TextClause:
    """PostgreSQL: a whole batch recorded by one statement, its columns as parameters
    (``batch_parameters``), made arrays here.

    Each array is read through a sub-select, which hides its length from the planner: a
    plan made for a batch then costs the same as the plan PostgreSQL keeps for any batch,
    so after a connection's first five batches it reuses that one. Seeing the length, it
    judged a small batch cheaper to plan for itself, and planned every one afresh (for a
    batch of one, as much of the database's time as recording it).

    It writes nothing unless the reader's row is there: it takes that row's key-share lock,
    so an account being deleted waits for the batch, or the batch finds the account gone.
    Concurrent batches of one reader need no lock of their own: a signal counts towards
    engagement when the reader's row for the article did not have it, and that is decided
    by the upsert of that row, under its lock, on its latest version (``newly_set``).
    It returns one row: whether the reader was found, how many events were new, and the
    positions of the screened events whose article was found, and of those retracted.
    """
    first_set = ",\n".join(
        f"min(occurred_at) FILTER (WHERE type = '{kind}') AS {column}"
        for kind, (column, _) in SIGNALS.items()
    )
    reading = ", ".join(f"'{kind}'" for kind in sorted(READING_TYPES))
    kept_first = ",\n".join(
        f"{column} = coalesce(state.{column}, excluded.{column})" for column in STATE_COLUMNS
    )
    changes = "\nOR ".join(
        f"(state.{column} IS NULL AND excluded.{column} IS NOT NULL)" for column in STATE_COLUMNS
    )
    bits = {column: 1 << n for n, column in enumerate(STATE_COLUMNS)}
    all_set = " + ".join(
        f"CASE WHEN {column} IS NOT NULL THEN {bit} ELSE 0 END" for column, bit in bits.items()
    )
    newly_set = " + ".join(
        f"CASE WHEN state.{column} IS NULL AND excluded.{column} IS NOT NULL THEN {bit} ELSE 0 END"
        for column, bit in bits.items()
    )
    signals = ",\n".join(
        f"('{counter}', states.{column}, {bits[column]})" for column, counter in SIGNALS.values()
    )
    counters = [counter for _, counter in SIGNALS.values()]
    counted = ",\n".join(f"count(*) FILTER (WHERE counter = '{c}')" for c in counters)
    added = ",\n".join(f"{c} = engagement.{c} + excluded.{c}" for c in counters)
    return text(
        f"""
WITH batch AS (
    SELECT position, client_event_id, type, article_id,
        occurred_at AT TIME ZONE 'UTC' AS occurred_at, dwell_ms
    FROM unnest(
        ({_split(":positions", "integer")}), ({_split(":ids")}), ({_split(":types")}),
        ({_split(":article_ids")}), (SELECT CAST(:occurred AS timestamp[])),
        ({_split(":dwell", "integer")})
    ) AS batch (position, client_event_id, type, article_id, occurred_at, dwell_ms)
),
reader AS (
    SELECT id FROM users WHERE id = CAST(:user_id AS text) FOR KEY SHARE
),
screened AS (
    SELECT batch.*, articles.retracted_at IS NOT NULL AS retracted
    FROM batch JOIN articles ON articles.id = batch.article_id
),
inserted AS (
    INSERT INTO reading_events
        (user_id, client_event_id, type, article_id, occurred_at, dwell_ms, received_at)
    SELECT DISTINCT ON (client_event_id)
        reader.id, client_event_id, type, article_id, occurred_at, dwell_ms,
        CAST(:now AS timestamptz)
    FROM screened CROSS JOIN reader WHERE NOT retracted
    ORDER BY client_event_id, position
    ON CONFLICT DO NOTHING
    RETURNING type, article_id, occurred_at, dwell_ms
),
folded AS (
    SELECT article_id,
        {first_set},
        max(occurred_at) FILTER (WHERE type IN ({reading})) AS last_read_at,
        coalesce(sum(dwell_ms), 0) AS dwell_ms
    FROM inserted GROUP BY article_id
),
states AS (
    INSERT INTO reader_articles AS state
        (user_id, article_id, {", ".join(FOLDED_COLUMNS)}, newly_set)
    SELECT CAST(:user_id AS text), article_id, {", ".join(FOLDED_COLUMNS)},
        {all_set}
    FROM folded ORDER BY article_id
    ON CONFLICT (user_id, article_id) DO UPDATE SET
        {kept_first},
        last_read_at = greatest(state.last_read_at, excluded.last_read_at),
        dwell_ms = state.dwell_ms + excluded.dwell_ms,
        newly_set = {newly_set}
    WHERE {changes}
        OR excluded.last_read_at > coalesce(state.last_read_at, '-infinity')
        OR excluded.dwell_ms > 0
    RETURNING article_id, newly_set, {", ".join(STATE_COLUMNS)}
),
firsts AS (
    SELECT states.article_id, signal.counter,
        date_trunc('hour', signal.at, 'UTC') AS bucket_start
    FROM states
    CROSS JOIN LATERAL (VALUES {signals}) AS signal (counter, at, bit)
    WHERE states.newly_set & signal.bit <> 0
),
counted AS (
    INSERT INTO article_engagement AS engagement
        (article_id, bucket_start, shard, {", ".join(counters)})
    SELECT article_id, bucket_start, CAST(:shard AS smallint),
        {counted}
    FROM firsts GROUP BY article_id, bucket_start
    -- in one order, so concurrent writers take row locks alike and cannot deadlock
    ORDER BY article_id, bucket_start
    ON CONFLICT (article_id, bucket_start, shard) DO UPDATE SET
        {added}
)
SELECT
    EXISTS (SELECT FROM reader),
    (SELECT count(*) FROM inserted),
    ARRAY(SELECT position FROM screened),
    ARRAY(SELECT position FROM screened WHERE retracted)
"""  # noqa: S608 (made of this module's own names: nothing a client sends is in the text)
    )


def batch_parameters(
    user_id: str, events: list[tuple[int, EventIn]], now: datetime
) -> dict[str, Any]:
    """``record_statement``'s parameters for (position, event) pairs."""
    return {
        "positions": joined_numbers([position for position, _ in events]),
        "ids": joined([event.id for _, event in events]),
        "types": joined([event.type for _, event in events]),
        "article_ids": joined([event.article_id for _, event in events]),
        "occurred": naive_utc([event.occurred_at for _, event in events]),
        "dwell": joined_numbers([event.dwell_ms for _, event in events]),
        "user_id": user_id,
        "now": now,
        "shard": shard_of(user_id),
    }


# Whether the article of each position found was retracted (unknown articles' positions are
# missing), and how many events were new; None, having written nothing, when the reader's
# account is gone.
Recorded = tuple[dict[int, bool], int] | None


def _recorded(reader_found: bool, new: int, positions: list[int], retracted: list[int]) -> Recorded:
    if not reader_found:
        return None
    gone = set(retracted)
    return {position: position in gone for position in positions}, new


async def record_on_connection(
    connection: AsyncConnection, user_id: str, events: list[tuple[int, EventIn]], now: datetime
) -> Recorded:
    """PostgreSQL: record (position, event) pairs, folding them into the reader's rows and
    the articles' engagement, by ``record_statement`` run on the driver itself
    (``app.db.fetch_row_on_driver``) outside any transaction. Its errors are asyncpg's."""
    parameters = batch_parameters(user_id, events, now)
    return _recorded(*await fetch_row_on_driver(connection, record_statement(), parameters))


async def forget_reader(session: AsyncSession, user_id: str) -> None:
    """Delete a departing reader's events and state (these tables have no foreign keys to
    cascade). Called after the user row is deleted: a batch still being recorded holds that
    row locked, so the deletion waits for it, and these deletes then see what it wrote."""
    for model in (ReadingEvent, ReaderArticle):
        await session.execute(delete(model).where(model.user_id == user_id))
