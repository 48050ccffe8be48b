"""Pages of a stored ranking: the window a page starts from, and the page as JSON.

A page's summaries come from ``app.articles.kept`` as JSON, rendered once per article
version; the page is that JSON with each item's score and reasons, and the page's cursor and
time, rendered by the models the route declares (``FeedPage``: its reasons, cursor and time)
and the serializer they use (a score), so it is byte for byte what serializing a
``FeedPage`` would give.
"""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json
from sqlalchemy import (
    JSON,
    Integer,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONPATH

from app.articles import queries as article_queries
from app.articles.kept import KeptSummaries, Version
from app.articles.queries import FeedReader
from app.db import Reads, dialect_name, fetch_mappings
from app.errors import AccountGone, InvalidCursor
from app.feed import ranking
from app.feed.schemas import ReasonOut
from app.feed.service import FEED_LENGTH
from app.models import Article, FeedSnapshot, User
from app.pagination import CursorCodec


@dataclass(frozen=True)
class SnapshotWindow:
    """Part of a stored ranking: the entries a page starts from, and how many there are; and,
    when read with them, the versions of those entries' articles that are live (not retracted,
    nor hidden by the reader), by id."""

    snapshot_id: str
    created_at: datetime
    entries: list[Any]
    total: int
    live: dict[str, Version] | None = None


def first_window(snapshot: FeedSnapshot, limit: int) -> SnapshotWindow:
    return SnapshotWindow(
        snapshot.id, snapshot.created_at, snapshot.items[:limit], len(snapshot.items)
    )


@functools.cache
def _window_statement(dialect: str, *, include_read: bool) -> Select[Any]:
    """A reader's snapshot (``snapshot_id``, ``user_id``): when it was made and expires, its
    length, and its entries ``offset`` to ``offset + limit`` as a JSON array, cut out by the
    database, so a page decodes its own few entries, not the whole stored ranking. Built once
    per dialect and variant: a page runs it without building and keying it again.

    On PostgreSQL the ranking is ``jsonb``: the entries are read by position and the length
    from its header, nothing parsed; and the same statement gives the versions of the
    entries' articles that are live and still shown to the reader at ``now``
    (``still_shown``: ``live_ids``, ``live_hashes``, ``live_updated``, in step), so a page
    whose summaries are kept makes no other."""
    offset = bindparam("offset", type_=Integer)
    end = offset + bindparam("limit", type_=Integer)
    snapshot = FeedSnapshot.id == bindparam("snapshot_id", type_=FeedSnapshot.id.type)
    reader = FeedSnapshot.user_id == bindparam("user_id", type_=FeedSnapshot.user_id.type)
    if dialect != "postgresql":
        entries = func.json_each(FeedSnapshot.items).table_valued("key", "value")
        window = select(func.json_group_array(func.json(entries.c.value))).where(
            entries.c.key >= offset, entries.c.key < end
        )
        return select(
            FeedSnapshot.created_at,
            FeedSnapshot.expires_at,
            func.json_array_length(FeedSnapshot.items).label("total"),
            type_coerce(window.scalar_subquery(), JSON).label("entries"),
        ).where(snapshot, reader)
    ranking = (
        select(
            func.jsonb_path_query_array(
                FeedSnapshot.items,
                literal_column("'$[$first to $last]'", JSONPATH),
                func.jsonb_build_object("first", offset, "last", end - 1),
            ).label("entries")
        )
        .correlate(FeedSnapshot)
        .lateral("window")
    )
    entry = func.jsonb_array_elements(ranking.c.entries).table_valued("value").alias("entry")
    in_window = Article.id.in_(select(entry.c.value.op("->>")(0)))
    columns = [
        func.array_agg(Article.id).label("live_ids"),
        func.array_agg(Article.content_hash).label("live_hashes"),
        func.array_agg(Article.updated_at).label("live_updated"),
    ]
    shown = article_queries.still_shown(include_read=include_read)
    live = article_queries.live_among(columns, in_window, shown=shown).lateral("live")
    return (
        select(
            FeedSnapshot.created_at,
            FeedSnapshot.expires_at,
            func.jsonb_array_length(FeedSnapshot.items).label("total"),
            type_coerce(ranking.c.entries, JSON).label("entries"),
            live.c.live_ids,
            live.c.live_hashes,
            live.c.live_updated,
        )
        .join_from(FeedSnapshot, ranking, true())
        .join(live, true())
        .where(snapshot, reader)
    )


async def load_window(
    session: Reads, snapshot_id: str, reader: FeedReader, offset: int, limit: int
) -> SnapshotWindow:
    """The reader's stored ranking from ``offset``, if it has not expired. The account is
    read only when the snapshot is not found: then it may be the account that is gone."""
    user_id, now = reader.user_id, reader.now
    parameters = {"snapshot_id": snapshot_id, "offset": offset, "limit": limit}
    dialect = dialect_name(session)
    statement = _window_statement(dialect, include_read=reader.include_read)
    rows = await fetch_mappings(session, statement, parameters | reader.parameters())
    row = rows[0] if rows else None
    if row is None and await session.scalar(select(User.id).where(User.id == user_id)) is None:
        # The account's snapshots went with it.
        raise AccountGone()
    if row is None or row["expires_at"] <= now:
        raise InvalidCursor("This feed has expired; request the first page again for a fresh one.")
    live = None
    if dialect == "postgresql":
        versions = zip(row["live_hashes"] or (), row["live_updated"] or (), strict=True)
        live = dict(zip(row["live_ids"] or (), versions, strict=True))
    return SnapshotWindow(snapshot_id, row["created_at"], row["entries"] or [], row["total"], live)


@dataclass(frozen=True)
class Position:
    """Where a page of a stored ranking starts: the first entry not served yet (``offset``),
    the entries after it served already (pulled forward to keep topics diverse), and the run
    of one primary topic the pages before it ended on."""

    offset: int
    served: frozenset[int] = frozenset()
    run: ranking.Run = ranking.NO_RUN

    def encoded(self, snapshot_id: str) -> list[Any]:
        return [snapshot_id, self.offset, *self.run, sorted(self.served)]


def _position(encoded: list[Any]) -> tuple[str, Position]:
    """The snapshot and position a cursor's ``encoded`` list names (``Position.encoded``).
    A cursor of two items names an offset alone, as cursors did before runs were kept."""
    match encoded:
        case [str(snapshot_id), int(offset)] if offset >= 0:
            return snapshot_id, Position(offset)
        case [str(snapshot_id), int(offset), int() | None as topic, int(length), list(served)] if (
            offset >= 0
            and length >= 0
            and len(served) <= FEED_LENGTH
            and all(isinstance(i, int) and i > offset for i in served)
        ):
            return snapshot_id, Position(offset, frozenset(served), ranking.Run(topic, length))
    raise InvalidCursor("This cursor is not valid.")


def _topic(entry: tuple[int, list[Any]]) -> int | None:
    """An indexed entry's primary topic; None in rankings stored before entries carried it."""
    stored = entry[1]
    return stored[3] if len(stored) > 3 else None


async def _shown(
    session: Reads, kept: KeptSummaries, reader: FeedReader, window: SnapshotWindow, *, fresh: bool
) -> dict[str, bytes]:
    """The summaries of the window's articles still shown to the reader, by id: what was
    retracted since, or what the reader hid, muted or (unless their feed includes it) read
    since, is left out (``still_shown``). A ``fresh`` window was ranked by this request,
    which left all that out already."""
    if window.live is None:
        ids = [entry[0] for entry in window.entries]
        return await article_queries.load_rendered_summaries(
            session, ids, kept, reader=None if fresh else reader
        )
    return await article_queries.rendered_summaries(session, window.live, kept)


async def snapshot_page(
    session: Reads,
    kept: KeptSummaries,
    reader: FeedReader,
    window: SnapshotWindow,
    position: Position,
    limit: int,
    *,
    fresh: bool,
) -> tuple[list[bytes], Position | None]:
    """The page's items as JSON, and where the next starts (None at the ranking's end).

    The page is the next ``limit`` entries not served yet (the window starts at the
    position's offset), less those no longer shown (``_shown``). The ranking was diversified
    when made; leaving entries out can put more than 3 stories of one primary topic in a row,
    so a later page diversifies again, continuing the run the pages before it ended on,
    pulling forward the best story on another topic, from further down the ranking if need
    be. A fresh window is the ranking as made."""
    shown = await _shown(session, kept, reader, window, fresh=fresh)
    indexed = enumerate(window.entries, start=position.offset)
    unserved = [pair for pair in indexed if pair[0] not in position.served]
    considered = unserved[:limit]
    pool = [pair for pair in considered if pair[1][0] in shown]
    chosen = pool
    # Diversifying changes the order only where it would overrun: mostly it does not.
    if not fresh and ranking.overruns(position.run, map(_topic, pool)):
        chosen = ranking.diversify(pool, _topic, length=len(pool), run=position.run)
        if ranking.overruns(position.run, map(_topic, chosen)):
            # No story on another topic among these: look for one further down.
            later = unserved[limit:]
            following = position.offset + len(window.entries)
            if following < window.total:
                further = await load_window(
                    session, window.snapshot_id, reader, following, window.total - following
                )
                shown |= await _shown(session, kept, reader, further, fresh=False)
                later += enumerate(further.entries, start=following)
            candidates = pool + [pair for pair in later if pair[1][0] in shown]
            chosen = ranking.diversify(candidates, _topic, length=len(pool), run=position.run)
    items = [_item(shown[entry[0]], entry[1], entry[2]) for _, entry in chosen]
    dropped = {index for index, entry in considered if entry[0] not in shown}
    served = position.served | dropped | {index for index, _ in chosen}
    offset = position.offset
    while offset in served:
        offset += 1
    if offset >= window.total:
        return items, None
    run = position.run.after(map(_topic, chosen))
    return items, Position(offset, frozenset(i for i in served if i > offset), run)


class _PageEnd(BaseModel):
    """A ``FeedPage`` after its items."""

    next_cursor: str | None
    generated_at: datetime


def _item(article: bytes, score: float, reasons: list[Any]) -> bytes:
    """A ``FeedItem``: its article, score and reasons, each reason rendered once per process."""
    rendered = b",".join([_reason(*reason) for reason in reasons])
    score_json = to_json(float(score))
    return b'{"article":%b,"score":%b,"reasons":[%b]}' % (article, score_json, rendered)


@functools.lru_cache(maxsize=4096)
def _reason(code: str, topic: str | None, author: str | None) -> bytes:
    """A ``ReasonOut``. Reasons are few (a code, and a topic or author) and recur on page after
    page: rendering each once makes an item a fifth of the work of validating and rendering
    its reasons every time."""
    reason = ReasonOut.model_validate({"code": code, "topic": topic, "author": author})
    return reason.__pydantic_serializer__.to_json(reason)


async def page_of(
    session: Reads,
    kept: KeptSummaries,
    cursors: CursorCodec,
    binding: str,
    reader: FeedReader,
    window: SnapshotWindow,
    position: Position,
    limit: int,
    *,
    fresh: bool,
) -> bytes:
    """The page of ``window`` (``snapshot_page``) as JSON, with the cursor of the next."""
    rendered, following = await snapshot_page(
        session, kept, reader, window, position, limit, fresh=fresh
    )
    next_cursor = None
    if following is not None:
        next_cursor = cursors.encode(binding, following.encoded(window.snapshot_id))
    return render(rendered, next_cursor, window.created_at)


async def page_after(
    session: Reads,
    kept: KeptSummaries,
    cursors: CursorCodec,
    binding: str,
    cursor: str,
    reader: FeedReader,
    limit: int,
    max_age: int,
) -> bytes:
    """The page of the reader's stored ranking that ``cursor`` points at, as JSON."""
    snapshot_id, position = _position(cursors.decode(cursor, binding, max_age=max_age))
    # Entries served already are read past: the window holds ``limit`` not yet served.
    size = limit + len(position.served)
    window = await load_window(session, snapshot_id, reader, position.offset, size)
    return await page_of(
        session, kept, cursors, binding, reader, window, position, limit, fresh=False
    )


def render(items: list[bytes], next_cursor: str | None, generated_at: datetime) -> bytes:
    """A ``FeedPage`` of these items (``snapshot_page``), as JSON."""
    end = _PageEnd(next_cursor=next_cursor, generated_at=generated_at)
    return b'{"items":[' + b",".join(items) + b"]," + end.__pydantic_serializer__.to_json(end)[1:]
