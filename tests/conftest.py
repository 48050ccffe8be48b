"""Test harness: a real database migrated once per run, a rolled-back transaction per test.

SQLite by default; PostgreSQL when MYNEWS_TEST_DATABASE_URL names one.
"""

import os
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app import db
from app.auth import security
from app.cli import alembic_config
from app.config import Settings
from app.db import Database, create_engine
from app.main import create_app
from tests import factories

TEST_SECRET_KEY = "test-secret-key-" + "0123456789abcdef" * 4
# Still argon2id, at the lowest cost: the suite creates hundreds of accounts, and the
# production cost (a fifth of a second each) is there to slow attackers, not tests.
CHEAP_PASSWORD_HASHER = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "password_hasher", lambda: CHEAP_PASSWORD_HASHER)
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("MYNEWS_TEST_DATABASE_URL")
    if url:
        return url
    path = tmp_path_factory.mktemp("db") / "test.db"
    return f"sqlite+aiosqlite:///{path}"


def settings_for(database_url: str, **overrides: object) -> Settings:
    """The settings every test app runs with."""
    return Settings(env="test", database_url=database_url, secret_key=TEST_SECRET_KEY, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


async def run_alembic(connection: AsyncConnection, action: str, revision: str) -> None:
    """Run an alembic command on this connection (env.py uses a connection handed to it)."""

    def run(sync_connection: object) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync_connection
        config.attributes["configure_logging"] = False
        getattr(command, action)(config, revision)

    await connection.run_sync(run)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    async with engine.connect() as connection:
        # Start from nothing, whatever an earlier run against this database left behind.
        await run_alembic(connection, "downgrade", "base")
        await run_alembic(connection, "upgrade", "head")
        await connection.commit()
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection in a transaction that is rolled back when the test ends."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        if transaction.is_active:
            await transaction.rollback()


@pytest.fixture
def executed(connection: AsyncConnection, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement the test's connection runs from here on, in order (clear it to
    start counting at a later point): SQLAlchemy's, and those the app runs on the
    PostgreSQL driver itself (``app.db._on_driver``), which SQLAlchemy's events miss."""
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    on_driver = db._on_driver

    async def recorded_on_driver(
        on: AsyncConnection, method: str, statement: str, arguments: Sequence[object]
    ) -> object:
        statements.append(statement)
        return await on_driver(on, method, statement, arguments)

    monkeypatch.setattr(db, "_on_driver", recorded_on_driver)
    return statements


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions joined to the test's transaction: their commits are savepoints."""
    return async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
def app(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> FastAPI:
    app = create_app(settings)
    app.state.database = Database(engine, sessionmaker)
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def reader(session: AsyncSession, settings: Settings) -> factories.Account:
    return await factories.create_account(session, settings, role="reader")


@pytest.fixture
async def other_reader(session: AsyncSession, settings: Settings) -> factories.Account:
    return await factories.create_account(session, settings, role="reader")


@pytest.fixture
async def editor(session: AsyncSession, settings: Settings) -> factories.Account:
    return await factories.create_account(session, settings, role="editor")


@pytest.fixture
async def admin(session: AsyncSession, settings: Settings) -> factories.Account:
    return await factories.create_account(session, settings, role="admin")


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture(params=["reader", "editor"])
async def non_admin(
    request: pytest.FixtureRequest, session: AsyncSession, settings: Settings
) -> factories.Account:
    """A signed-in user of each role below admin."""
    return await factories.create_account(session, settings, role=request.param)
