"""Engine, sessions and the declarative base shared by every table."""

import functools
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast

import asyncpg
from fastapi import Depends, Request
from pydantic_core import from_json, to_json
from sqlalchemy import (
    JSON,
    VARCHAR,
    Column,
    ColumnElement,
    DateTime,
    Enum,
    Integer,
    MetaData,
    String,
    Table,
    TextClause,
    any_,
    bindparam,
    event,
    func,
    insert,
    literal,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator, TypeEngine
from starlette.convertors import Convertor, register_url_convertor

from app.config import Settings
from app.errors import AppError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# What a read runs on: a request's session, or a connection of its own (``Database.
# statement_connection``) where no session is needed.
Reads = AsyncSession | AsyncConnection


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite stores none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(UTC)
        # SQLite compares timestamps as text: store them without an offset, all in UTC.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CompactJSON(TypeDecorator[Any]):
    """JSON written by pydantic-core's serializer: a stored ranking (300 entries) in a fifth of
    the time the standard library takes. For documents of plain values that no search index
    reads (``json_text`` keeps the text those indexes expect). On PostgreSQL it is ``jsonb``,
    whose parts a statement reads by position without parsing the whole document."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def bind_processor(self, dialect: Dialect) -> Any:
        def write(value: Any) -> str | None:
            return None if value is None else compact_json(value)

        return write


def compact_json(value: Any) -> str:
    """A ``CompactJSON`` column's text, for statements run on the driver itself."""
    return to_json(value).decode()


class ListArray(TypeDecorator[list[Any]]):
    """PostgreSQL's one-dimensional array, read as the list asyncpg returns when its items
    need no conversion, not copied item by item into another list for every row."""

    impl = ARRAY
    cache_ok = True

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        array = cast(ARRAY[Any], self.impl_instance)
        items = array.item_type.dialect_impl(dialect).result_processor(dialect, coltype)
        one_list = array.dimensions in (None, 1) and not array.as_tuple
        if dialect.driver == "asyncpg" and items is None and one_list:
            return None
        return super().result_processor(dialect, coltype)


def exact_string(length: int) -> TypeEngine[str]:
    """A string only ever matched whole, never sorted for a reader: identifiers, digests,
    URLs. On PostgreSQL it compares bytes (the "C" collation), as SQLite and Python do.

    The database's own collation (C.UTF-8, en_US.UTF-8...) sends every comparison an index
    makes through the C library's strcoll: recording batches of reading events, PostgreSQL
    spent a tenth of its time comparing text keys that way, and a twentieth comparing bytes.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def new_id() -> str:
    """A new opaque identifier."""
    return uuid.uuid4().hex


class IdConvertor(Convertor[str]):
    """``{name:id}`` in a route path matches only identifiers ``new_id`` makes, so a literal
    sibling such as ``/v1/articles/batch`` is never mistaken for an id."""

    regex = "[0-9a-f]{32}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("id", IdConvertor())


def utcnow() -> datetime:
    return datetime.now(UTC)


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and transactions SQLite actually isolates.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; we turn it off
    and emit BEGIN IMMEDIATE ourselves, so that concurrent writers queue on the busy timeout
    instead of failing with "database is locked" when a read lock cannot be upgraded.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()
        # SQLite's own lower() (and so ILIKE) folds ASCII letters alone: "École" would not
        # match "école". Python's folds every script's, as PostgreSQL's does.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def json_text(value: Any) -> str:
    """JSON as the database stores it: characters as they are, not ``\\uXXXX`` escapes.

    Both search indexes read the stored text of an article's summary; an escaped "café"
    would be indexed as "caf" and "u00e9", and found by neither.
    """
    return _JSON_TEXT.encode(value)


# One encoder for every call: ``json.dumps`` with any option not its default builds a new one.
_JSON_TEXT = json.JSONEncoder(ensure_ascii=False)


def json_value(text: str | bytes) -> Any:
    """A stored JSON document as Python values. pydantic-core's parser takes about a third
    of the standard library's time on the small documents articles carry (a summary, an
    image), and a page reads several per article."""
    return from_json(text)


def create_engine(settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    """An async engine for the configured database, tuned for its dialect.

    ``pooled=False`` opens a connection per use: for one-off tools, and for callers that run
    the app on more than one event loop (connections belong to the loop that opened them).
    """
    url = make_url(settings.database_url)
    pool_options: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            json_serializer=json_text,
            json_deserializer=json_value,
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
            **(pool_options or {"pool_timeout": settings.db_pool_timeout_seconds}),
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args = {
            "timeout": settings.db_connect_timeout_seconds,
            "command_timeout": settings.db_statement_timeout_ms / 1000 or None,
            "server_settings": {
                "application_name": "mynews",
                "statement_timeout": str(settings.db_statement_timeout_ms),
            },
        }
    if pooled:
        pool_options = {
            "pool_size": settings.db_pool_size,
            "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_pool_timeout_seconds,
            # No ping before each checkout (a round trip on every request): after an outage
            # the first statement on a dead connection fails as a disconnect, which answers
            # that request with a 503 and makes the pool replace every older connection.
        }
    return create_async_engine(
        url,
        json_serializer=json_text,
        json_deserializer=json_value,
        connect_args=connect_args,
        **pool_options,
    )


@dataclass
class Database:
    """The engine and session factory of one running app."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def from_settings(cls, settings: Settings, *, pooled: bool = True) -> "Database":
        engine = create_engine(settings, pooled=pooled)
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def statement_connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection for statements that commit alone, outside any session: one from the
        pool, or the connection the sessions are bound to when they join a caller's
        transaction (a test's), so that such statements see and share its work."""
        bind = self.sessionmaker.kw.get("bind")
        if isinstance(bind, AsyncConnection):
            yield bind
            return
        async with self.engine.connect() as connection:
            yield connection


async def _on_driver(
    connection: AsyncConnection, method: str, statement: str, arguments: Sequence[Any]
) -> Any:
    """``statement`` (``$1``-style) run by the connection's asyncpg driver itself, through
    ``method`` (``fetch``, ``fetchrow`` or ``execute``).

    For the hottest statements, those SQLAlchemy has nothing to add to: its execution
    context and its result take more of the worker's time than the driver does (0.2-0.3 ms
    a statement). The driver prepares each statement once per connection, and runs it in
    the connection's transaction if there is one, else on its own. Its errors are asyncpg's
    (``app.errors.DRIVER_ERRORS``, and OSError); a connection it failed on is dropped from
    the pool, unless the server refused the statement and the connection is still open."""
    driver: Any = (await connection.get_raw_connection()).driver_connection
    try:
        return await getattr(driver, method)(statement, *arguments)
    except asyncpg.PostgresError:
        # The server refused the statement: the connection serves on unless it was closed.
        if driver.is_closed():
            await connection.invalidate()
        raise
    except BaseException:
        # Lost, timed out, cancelled or out of step: nothing says the connection is sound.
        await connection.invalidate()
        raise


async def fetch_row_on_driver(
    connection: AsyncConnection, statement: ClauseElement, parameters: Mapping[str, Any]
) -> Any:
    """PostgreSQL: the first row (an ``asyncpg.Record``) of a statement built once per
    process, run by the driver itself on ``connection`` (``_run_on_driver``)."""
    return await _run_on_driver(connection, "fetchrow", statement, parameters)


@functools.lru_cache(maxsize=64)
def driver_form(
    statement: ClauseElement, dialect: Dialect
) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """A statement built once, as asyncpg prepares it: its text, its parameters' names in
    order, and the values it binds itself (its literals)."""
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    return str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params)


async def _run_on_driver(
    connection: AsyncConnection,
    method: str,
    statement: ClauseElement,
    parameters: Mapping[str, Any],
) -> Any:
    """PostgreSQL: ``statement`` run by the driver's ``method`` on ``connection``, its
    parameters (with the literals it binds itself) in the order its text takes them."""
    text_, names, bound = driver_form(statement, connection.dialect)
    values = bound | dict(parameters)
    return await _on_driver(connection, method, text_, [values[n] for n in names])


async def _fetch_on_driver(
    reads: Reads, statement: ClauseElement, parameters: Mapping[str, Any]
) -> list[Any]:
    """PostgreSQL: ``statement``'s rows (``asyncpg.Record``: by name and by position), run
    on the driver itself over the connection (the session's)."""
    connection = reads if isinstance(reads, AsyncConnection) else await reads.connection()
    return cast(list[Any], await _run_on_driver(connection, "fetch", statement, parameters))


async def write_on_driver(
    session: AsyncSession, statement: ClauseElement, parameters: Mapping[str, Any]
) -> None:
    """PostgreSQL: a write built once per process, run on the driver itself over the
    session's connection, as ``fetch_mappings`` runs reads (the same terms for its
    parameters; a JSON column's value given as its text)."""
    await _run_on_driver(await session.connection(), "execute", statement, parameters)


async def fetch_mappings(
    reads: Reads, statement: ClauseElement, parameters: Mapping[str, Any]
) -> Sequence[Mapping[str, Any]]:
    """The rows of a read built once per process (kept by the function that builds it), as
    mappings of its columns' names.

    On PostgreSQL the connection (the session's) runs it on the driver itself (``_on_driver``),
    for reads on the hottest paths: a next page's three statements took 0.6-1.4 ms less of
    the worker's time so, in one process. Only for statements whose values SQLAlchemy need
    not convert: parameters of plain strings and numbers, and lists of them, bound as they
    are; rows as the driver reads them (JSON decoded by the engine's deserializer,
    timestamps in UTC). Errors on that path are asyncpg's (``is_database_unavailable`` knows
    them)."""
    if dialect_name(reads) != "postgresql":
        rows = (await reads.execute(statement, parameters)).mappings().all()  # type: ignore[call-overload]
        return cast(Sequence[Mapping[str, Any]], rows)
    return await _fetch_on_driver(reads, statement, parameters)


async def fetch_rows(
    reads: Reads, statement: ClauseElement, parameters: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """``fetch_mappings``, its rows read by position (indexed or unpacked) instead."""
    if dialect_name(reads) != "postgresql":
        rows = (await reads.execute(statement, parameters)).all()  # type: ignore[call-overload]
        return cast(Sequence[Sequence[Any]], rows)
    return await _fetch_on_driver(reads, statement, parameters)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: committed on success, rolled back on error."""
    database: Database = request.app.state.database
    async with database.sessionmaker() as session:
        try:
            yield session
        except AppError as error:
            if error.persist_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        # A request that never touched the database (a 304 from cached validators, say) has
        # nothing to commit.
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Call ``callback`` once the session's transaction has committed (never on rollback)."""
    event.listen(session.sync_session, "after_commit", lambda _: callback(), once=True)


async def statements_commit_alone(session: AsyncSession) -> None:
    """On PostgreSQL, each statement the session runs from here on is a transaction of its
    own: no BEGIN and COMMIT round trips around them. For a request whose statements need no
    transaction in common: none of them must see the others' snapshot of the data, and any
    write it makes stands on its own if a later statement fails (the events path's one
    statement; the feed's reads and its snapshot). A session already in a transaction, or
    joined to its caller's, keeps it."""
    if (
        dialect_name(session) == "postgresql"
        and isinstance(session.bind, AsyncEngine)
        and not session.in_transaction()
    ):
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def clock_at_write(session: AsyncSession) -> Any:
    """The time, for a value an UPDATE sets: on PostgreSQL read as each row is written, after
    the statement has waited for any lock on it (``clock_timestamp()``). SQLite's writers
    queue for its one lock at their transaction's first statement, so the time read when a
    later statement is built is already after the wait."""
    if dialect_name(session) == "postgresql":
        return func.clock_timestamp()
    return utcnow()


def dialect_name(reads: Reads) -> str:
    """ "postgresql" or "sqlite"."""
    if isinstance(reads, AsyncConnection):
        return reads.dialect.name
    if reads.bind is None:
        raise RuntimeError("sessions are always bound to the app's engine")
    return reads.bind.dialect.name


def among(session: AsyncSession, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN (values)``. On PostgreSQL it is ``column = ANY($1)`` with one array
    parameter, so the statement's text is the same however many values there are: compiled
    once by SQLAlchemy and prepared once by the server, instead of rendered per request."""
    if dialect_name(session) == "postgresql":
        return column == any_(bindparam(None, list(values), type_=_array_of(column.type)))  # type: ignore[no-any-return]
    return column.in_(list(values))  # type: ignore[no-any-return]


def among_bound(dialect: str, column: Any, name: str) -> ColumnElement[bool]:
    """``among`` for a statement built once and run many times: the values are bound at
    execution, as the parameter ``name`` (a list)."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=_array_of(column.type)))  # type: ignore[no-any-return]
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]


def _array_of(item: TypeEngine[Any]) -> ARRAY[Any]:
    """The type of an array parameter of ``item``s, its cast naming no collation: one that
    did (``exact_string``'s) would override the column's own, and where the two differed (a
    database not yet migrated) the column's index could not serve the comparison."""
    if type(item) is String:
        return ARRAY(String(item.length))
    return ARRAY(item)


def _insert(of: AsyncSession | str, table: Any) -> Any:
    """The INSERT construct of the dialect of ``of`` (a session, or a dialect's name)."""
    dialect = of if isinstance(of, str) else dialect_name(of)
    return postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)


def insert_or_ignore(of: AsyncSession | str, table: Any) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the dialect of ``of`` (a session, or a
    dialect's name, for statements built once)."""
    return _insert(of, table).on_conflict_do_nothing()


def upsert(
    of: AsyncSession | str, table: Any, keys: list[str], update: Callable[[Any], dict[str, Any]]
) -> Any:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE`` in the dialect of ``of``.

    ``update`` receives the ``excluded`` row (the one that was not inserted) and returns the
    column assignments for the existing row.
    """
    statement = _insert(of, table)
    return statement.on_conflict_do_update(index_elements=keys, set_=update(statement.excluded))


@dataclass(frozen=True)
class _ArrayInsert:
    """``INSERT ... SELECT ... FROM unnest(arrays)`` for one table and list of columns."""

    statement: TextClause
    columns: list[Column[Any]]
    # Per column: what turns a row's value into the element its array is sent with.
    elements: list[Callable[[Any], Any]]
    defaults: dict[str, Callable[[], Any]]


def _array_element(column: Column[Any], dialect: Dialect) -> tuple[str, str, Callable[[Any], Any]]:
    """How one column travels as an array: the array's type, the expression that turns an
    element back into the column's value, and what makes an element of a Python value."""
    column_type = column.type.dialect_impl(dialect)
    process = column_type.bind_processor(dialect) or (lambda value: value)
    name = dialect.identifier_preparer.quote(column.name)
    if isinstance(column_type, TypeDecorator):
        # The type it is stored as decides how it travels; its own processing stays.
        column_type = column_type.impl_instance
    if isinstance(column_type, ARRAY):
        # unnest() flattens an array of arrays: each array goes as its text form.
        if not isinstance(column_type.item_type, Integer):
            raise TypeError(f"{column.name}: only arrays of integers are sent as text")
        return "text[]", f"CAST(batch.{name} AS {column_type.compile(dialect)})", _int_array_text
    if isinstance(column_type, JSON):
        return "text[]", f"CAST(batch.{name} AS json)", process
    if isinstance(column_type, String) and not isinstance(column_type, Enum):
        # An array's type names neither collation nor length: the column applies its own
        # collation, and refuses a string longer than it holds, where a cast of the array to
        # its length would cut one short without a word.
        column_type = VARCHAR()
    return f"{column_type.compile(dialect)}[]", f"batch.{name}", process


def _int_array_text(value: Sequence[int] | None) -> str | None:
    return None if value is None else "{" + ",".join(str(int(v)) for v in value) + "}"


def _python_default(column: Column[Any]) -> Callable[[], Any] | None:
    """What makes the value of a column a row leaves out, when Python makes it."""
    default: Any = column.default
    if default is None or not (default.is_scalar or default.is_callable):
        return None
    if default.is_callable:
        return functools.partial(default.arg, None)  # SQLAlchemy passes a context
    return functools.partial(lambda value: value, default.arg)


@functools.cache
def _array_insert(table: Table, names: tuple[str, ...], dialect: Dialect) -> _ArrayInsert:
    defaults = {
        column.name: make
        for column in table.columns
        if column.name not in names and (make := _python_default(column)) is not None
    }
    columns = [table.c[name] for name in [*names, *defaults]]
    parts = [_array_element(column, dialect) for column in columns]
    listed = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    arrays = ", ".join(f"CAST(:p{i} AS {kind})" for i, (kind, _, _) in enumerate(parts))
    # Names from the table's metadata, quoted; every value is a parameter.
    into = dialect.identifier_preparer.format_table(table)
    selected = ", ".join(expression for _, expression, _ in parts)
    statement = text(
        f"INSERT INTO {into} ({listed}) SELECT {selected} "  # noqa: S608
        f"FROM unnest({arrays}) AS batch ({listed})"
    )
    return _ArrayInsert(statement, columns, [element for _, _, element in parts], defaults)


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows: dicts with the same keys, the columns they leave out taking their
    defaults.

    On PostgreSQL it is one statement with one array per column: the server plans and runs
    it once, not once per row, and SQLAlchemy processes no row on its own. SQLite takes the
    rows as one executemany.
    """
    if not rows:
        return
    if session.bind is None or session.bind.dialect.name != "postgresql":
        await session.execute(insert(table), list(rows))
        return
    plan = _array_insert(table, tuple(rows[0]), session.bind.dialect)
    arrays: dict[str, list[Any]] = {}
    for i, (column, element) in enumerate(zip(plan.columns, plan.elements, strict=True)):
        make = plan.defaults.get(column.name)
        arrays[f"p{i}"] = (
            [element(make()) for _ in rows]
            if make is not None
            else [element(row[column.name]) for row in rows]
        )
    await session.execute(plan.statement, arrays)


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, typed as one."""
    return cast(Table, model.__table__)


def keyset_before(columns: Sequence[Any], position: Sequence[Any]) -> Any:
    """``(columns) < (position)``, with each value bound as its column's type.

    Row-value comparison walks a composite index in order on both databases; binding through
    the column types keeps timestamps comparable on SQLite, which stores them as text.
    """
    return tuple_(*columns) < _bound_as(columns, position)


def keyset_after(columns: Sequence[Any], position: Sequence[Any]) -> Any:
    """``(columns) > (position)``: ``keyset_before`` for lists in ascending order."""
    return tuple_(*columns) > _bound_as(columns, position)


def _bound_as(columns: Sequence[Any], position: Sequence[Any]) -> Any:
    return tuple_(
        *[literal(value, type_=col.type) for col, value in zip(columns, position, strict=True)]
    )
