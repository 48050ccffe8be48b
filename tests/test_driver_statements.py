"""Statements run by the PostgreSQL driver itself (``app.db``: ``fetch_row_on_driver``,
``fetch_mappings``), and what becomes of their errors."""

from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Integer, bindparam, func, literal, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app import db
from app.articles import queries
from app.clock import current_time
from app.config import Settings
from app.db import (
    Database,
    dialect_name,
    fetch_mappings,
    fetch_row_on_driver,
    insert_rows,
    table_of,
)
from app.errors import DRIVER_ERRORS, is_database_unavailable
from app.models import Topic
from tests import factories

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


# The one parameter of the statements below.
NUMBER = bindparam("n", type_=Integer)


@pytest.fixture
def postgres_settings(settings: Settings) -> Settings:
    if make_url(settings.database_url).get_backend_name() != "postgresql":
        pytest.skip("the driver's own statements are PostgreSQL's")
    return settings


async def test_a_connection_the_server_dropped_leaves_the_pool(
    postgres_settings: Settings,
) -> None:
    database = Database.from_settings(postgres_settings)
    dsn = make_url(postgres_settings.database_url).set(drivername="postgresql")
    admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        async with database.statement_connection() as connection:
            first = await fetch_row_on_driver(connection, select(func.pg_backend_pid()), {})
        # The server drops the idle pooled connection (a restart, a failover, an idle timeout).
        await admin.execute("SELECT pg_terminate_backend($1)", first[0])
        async with database.statement_connection() as connection:
            with pytest.raises((*DRIVER_ERRORS, OSError)) as raised:
                await fetch_row_on_driver(connection, select(NUMBER), {"n": 1})
            assert connection.invalidated
        assert is_database_unavailable(raised.value)
        # The pool replaced it: the next statement runs on a new connection.
        async with database.statement_connection() as connection:
            again = await fetch_row_on_driver(
                connection, select(func.pg_backend_pid(), NUMBER), {"n": 2}
            )
        assert again[0] != first[0]
        assert again[1] == 2
    finally:
        await admin.close()
        await database.engine.dispose()


async def test_a_failed_statement_keeps_its_connection(postgres_settings: Settings) -> None:
    database = Database.from_settings(postgres_settings)
    try:
        async with database.statement_connection() as connection:
            with pytest.raises(asyncpg.PostgresError) as raised:
                await fetch_row_on_driver(connection, select(literal(1) / NUMBER), {"n": 0})
            assert not connection.invalidated
            row = await fetch_row_on_driver(connection, select(literal(6) / NUMBER), {"n": 3})
        assert row[0] == 2
        assert not is_database_unavailable(raised.value)  # a bug of ours: a 500
    finally:
        await database.engine.dispose()


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (asyncpg.QueryCanceledError("canceling statement due to statement timeout"), True),
        (asyncpg.AdminShutdownError("terminating connection"), True),
        (asyncpg.TooManyConnectionsError("too many clients"), True),
        (asyncpg.ConnectionDoesNotExistError("connection was closed"), True),
        (asyncpg.InternalClientError("cannot switch to state 11"), True),
        (asyncpg.UniqueViolationError("duplicate key"), False),
        (asyncpg.UndefinedTableError("relation does not exist"), False),
        (asyncpg.DataError("invalid input for query argument $1"), False),
    ],
)
def test_driver_errors_that_mean_the_database_cannot_serve_now(
    error: Exception, unavailable: bool
) -> None:
    assert is_database_unavailable(error) is unavailable


async def test_rows_read_by_the_driver_are_those_sqlalchemy_reads(session: AsyncSession) -> None:
    image = {"url": "https://img.example/café.jpg", "caption": "Ⅻ", "credit": "Agency"}
    article_ids = [
        await factories.create_article(
            session, topics=["China-Russia relations", "Energy"], image=image
        ),
        await factories.create_article(session, summary=["one", "two"], credits=["AP"]),
    ]
    statement = queries._live_summaries(dialect_name(session), include_read=False)
    parameters = {"ids": article_ids, "user_id": "nobody", "now": datetime.now(UTC)}
    read = [dict(m) for m in await fetch_mappings(session, statement, parameters)]
    as_sqlalchemy_reads = (await session.execute(statement, parameters)).mappings().all()
    assert read == [dict(m) for m in as_sqlalchemy_reads]
    assert {row["id"] for row in read} == set(article_ids)
    assert all(row["published_at"].tzinfo is not None for row in read)


async def test_a_feed_page_whose_read_loses_its_connection_is_a_503(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if dialect_name(session) != "postgresql":
        pytest.skip("reads go to the driver itself on PostgreSQL only")
    app.dependency_overrides[current_time] = lambda: NOW
    for n in range(3):
        published = (NOW - timedelta(hours=n)).isoformat()
        await factories.create_article(session, topics=["Energy"], published_at=published)
    first = await client.get("/v1/me/feed", headers=reader.headers, params={"limit": 1})
    assert first.status_code == 200, first.text

    async def lost(*_: object) -> None:
        raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle")

    monkeypatch.setattr(db, "_on_driver", lost)
    params = {"limit": 1, "cursor": first.json()["next_cursor"]}
    page = await client.get("/v1/me/feed", headers=reader.headers, params=params)
    assert page.status_code == 503, page.text
    assert page.headers["content-type"] == "application/problem+json"
    assert page.json()["type"].endswith("/database-unavailable")
    assert int(page.headers["retry-after"]) > 0


async def test_rows_inserted_as_arrays_keep_their_strings_whole(session: AsyncSession) -> None:
    """A string longer than its column is refused by the column, never cut short on the way
    (as a cast of its array to the column's length would): the app's own checks keep such a
    string from getting this far, and this is the last line."""
    if dialect_name(session) != "postgresql":
        pytest.skip("rows go as arrays on PostgreSQL only")
    topics = table_of(Topic)
    fits = "n" * 120
    await insert_rows(session, topics, [{"slug": "whole-name", "name": fits}])
    stored = await session.scalar(select(topics.c.name).where(topics.c.slug == "whole-name"))
    assert stored == fits
    with pytest.raises(DBAPIError, match="too long"):
        async with session.begin_nested():
            await insert_rows(session, topics, [{"slug": "long-name", "name": fits + "n"}])
    assert await session.scalar(select(topics.c.name).where(topics.c.slug == "long-name")) is None
