"""Reading events: screened, recorded once per client id, and read back as history.

Events from more than five minutes ahead, and those of unknown or retracted articles, are
rejected alone; the rest are stored and folded by ``recording``: on PostgreSQL one statement
screens, stores and folds the batch, on SQLite a fixed handful do, whatever its size.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from app.db import among, dialect_name, keyset_before, statements_commit_alone
from app.errors import AccountGone
from app.models import Article, ReaderArticle, User
from app.reader import recording
from app.reader.schemas import EventIn, EventsAccepted, HistoryEntry, RejectedEvent
from app.reader.service import with_articles

MAX_CLOCK_SKEW = timedelta(minutes=5)
# Why an event is rejected.
FUTURE = "occurred_at is more than 5 minutes in the future"
UNKNOWN = "unknown article"
RETRACTED = "the article has been retracted"


def _ahead(events: Sequence[EventIn], now: datetime) -> list[bool]:
    """Whether each event occurred more than ``MAX_CLOCK_SKEW`` after ``now``, compared in
    the event's own zone (``recording.in_zone``), which it shares with the events around it."""
    limit = now + MAX_CLOCK_SKEW
    zone: tzinfo | None = None
    limit_in_zone = limit
    ahead = []
    for event in events:
        occurred_at = event.occurred_at
        if occurred_at.tzinfo is not zone:
            zone = occurred_at.tzinfo
            limit_in_zone = recording.in_zone(limit, zone)
        ahead.append(occurred_at > limit_in_zone)
    return ahead


def _rejection(ahead: bool, retracted: bool | None) -> str | None:
    """Why an event cannot be recorded (``retracted`` is None for an unknown article)."""
    if ahead:
        return FUTURE
    if retracted is None:
        return UNKNOWN
    return RETRACTED if retracted else None


async def _screen(
    session: AsyncSession, events: Sequence[EventIn], now: datetime
) -> tuple[list[tuple[int, EventIn]], list[RejectedEvent]]:
    """SQLite: events that may be recorded, and the others with their reasons."""
    article_ids = {event.article_id for event in events}
    rows = await session.execute(
        select(Article.id, Article.retracted_at.is_not(None)).where(
            among(session, Article.id, article_ids)
        )
    )
    retracted: dict[str, bool] = dict(rows.all())
    accepted: list[tuple[int, EventIn]] = []
    rejected: list[RejectedEvent] = []
    for index, (event, ahead) in enumerate(zip(events, _ahead(events, now), strict=True)):
        reason = _rejection(ahead, retracted.get(event.article_id))
        if reason is None:
            accepted.append((index, event))
        else:
            rejected.append(RejectedEvent(index=index, reason=reason))
    return accepted, rejected


def _accepted(ahead: list[bool], recorded: recording.Recorded) -> EventsAccepted:
    """PostgreSQL: the answer to a batch its statement recorded (``ahead``: ``_ahead``'s
    verdicts, as the batch was screened)."""
    if recorded is None:
        raise AccountGone()
    found, new = recorded
    rejected = [
        RejectedEvent(index=index, reason=reason)
        for index, future in enumerate(ahead)
        if (reason := _rejection(future, found.get(index))) is not None
    ]
    return EventsAccepted(
        accepted=new, duplicates=len(ahead) - len(rejected) - new, rejected=rejected
    )


async def record_events_alone(
    connection: AsyncConnection, user_id: str, events: Sequence[EventIn], now: datetime
) -> EventsAccepted:
    """PostgreSQL: ``record_events`` as one statement on ``connection``, outside any
    transaction (``recording.record_on_connection``). Its errors are asyncpg's; the
    statement writes all or nothing, and sending the batch again records no event twice."""
    ahead = _ahead(events, now)
    # The statement screens the timely events further.
    timely = [(index, event) for index, event in enumerate(events) if not ahead[index]]
    recorded = await recording.record_on_connection(connection, user_id, timely, now)
    return _accepted(ahead, recorded)


async def record_events(
    session: AsyncSession, user_id: str, events: Sequence[EventIn], now: datetime
) -> EventsAccepted:
    """Record a batch of the reader's events; safe to send again."""
    if dialect_name(session) == "postgresql":
        await statements_commit_alone(session)
        return await record_events_alone(await session.connection(), user_id, events, now)
    # An account deleted since the request was authenticated records nothing.
    if await session.scalar(select(User.id).where(User.id == user_id)) is None:
        raise AccountGone()
    screened, rejected = await _screen(session, events, now)
    candidates = [event for _, event in screened]
    new_events = await recording.insert_new_events(session, user_id, candidates, now)
    if new_events:
        await recording.fold_into_state(session, user_id, new_events)
    return EventsAccepted(
        accepted=len(new_events), duplicates=len(candidates) - len(new_events), rejected=rejected
    )


def history_statement(
    user_id: str, *, limit: int, after: tuple[datetime, str] | None
) -> Select[str, datetime | None]:
    """The reader's opened or read articles, newest first: a walk of the history index."""
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
    return statement.order_by(
        ReaderArticle.last_read_at.desc(), ReaderArticle.article_id.desc()
    ).limit(limit + 1)


async def history(
    session: AsyncSession, user_id: str, *, limit: int, after: tuple[datetime, str] | None
) -> tuple[list[HistoryEntry], tuple[datetime, str] | None]:
    """Articles the reader opened or read, most recent first."""
    statement = history_statement(user_id, limit=limit, after=after)
    rows = (await session.execute(statement)).all()
    return await with_articles(rows, limit, session, HistoryEntry, "last_read_at")
