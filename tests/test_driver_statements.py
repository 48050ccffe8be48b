"""Statements run by the PostgreSQL driver itself (``app.db.fetch_row_on_driver``)."""

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db import DRIVER_ERRORS, Database, fetch_row_on_driver


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
            first = await fetch_row_on_driver(connection, "SELECT pg_backend_pid()", [])
        # The server drops the idle pooled connection (a restart, a failover, an idle timeout).
        await admin.execute("SELECT pg_terminate_backend($1)", first[0])
        async with database.statement_connection() as connection:
            with pytest.raises((*DRIVER_ERRORS, OSError)):
                await fetch_row_on_driver(connection, "SELECT $1::int", [1])
            assert connection.invalidated
        # The pool replaced it: the next statement runs on a new connection.
        async with database.statement_connection() as connection:
            again = await fetch_row_on_driver(connection, "SELECT pg_backend_pid(), $1::int", [2])
        assert again[0] != first[0]
        assert again[1] == 2
    finally:
        await admin.close()
        await database.engine.dispose()


async def test_a_failed_statement_keeps_its_connection(postgres_settings: Settings) -> None:
    database = Database.from_settings(postgres_settings)
    try:
        async with database.statement_connection() as connection:
            with pytest.raises(asyncpg.PostgresError):
                await fetch_row_on_driver(connection, "SELECT 1 / $1::int", [0])
            assert not connection.invalidated
            row = await fetch_row_on_driver(connection, "SELECT 6 / $1::int", [3])
        assert row[0] == 2
    finally:
        await database.engine.dispose()
