"""A separate, committed database and app for tests that drive the API from outside:
schema-driven fuzzing and the authorization matrix. Nothing here is rolled back, so it
lives in its own database (a file on SQLite, a sibling database on PostgreSQL)."""

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app import demo
from app.auth.security import create_access_token
from app.config import Settings
from app.db import Database, create_engine
from app.main import create_app
from app.models import Scope
from tests import factories
from tests.conftest import run_alembic, settings_for


@dataclass
class Principals:
    """Credentials of every kind of caller, as request headers."""

    reader: dict[str, str]
    other_reader: dict[str, str]
    editor: dict[str, str]
    admin: dict[str, str]
    feeds_key: dict[str, str]
    writer_key: dict[str, str]
    reader_id: str
    other_reader_id: str
    article_id: str


@dataclass
class World:
    app: FastAPI
    settings: Settings
    principals: Principals


def _world_database_url() -> str:
    base = os.environ.get("MYNEWS_TEST_DATABASE_URL")
    if not base:
        return f"sqlite+aiosqlite:///{tempfile.gettempdir()}/mynews-world-{os.getpid()}.db"
    url = make_url(base)
    return url.set(database=f"{url.database}_world").render_as_string(hide_password=False)


# Built at import: schema-driven tests read the app's OpenAPI document while collecting.
WORLD_SETTINGS = settings_for(_world_database_url(), rate_limits_enabled=False)
WORLD_APP = create_app(WORLD_SETTINGS)
# The app may run on other event loops (test clients): no connection outlives a request.
WORLD_APP.state.database = Database.from_settings(WORLD_SETTINGS, pooled=False)


async def _recreate_database(settings: Settings) -> None:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "postgresql":
        Path(url.database or "").unlink(missing_ok=True)  # noqa: ASYNC240
        return
    server = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with server.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    await server.dispose()


@pytest.fixture(scope="session")
async def world() -> World:
    """The demo newsroom, accounts of every role and keys of every scope, committed."""
    world_settings = WORLD_SETTINGS
    await _recreate_database(world_settings)
    engine = create_engine(world_settings)
    async with engine.connect() as connection:
        await run_alembic(connection, "upgrade", "head")
        await connection.commit()
    database = Database.from_settings(world_settings)
    async with database.sessionmaker() as session, session.begin():
        await demo.seed(session, now=datetime.now(UTC))
        accounts = {
            role: await factories.create_user(session, role=role.split("-")[-1])
            for role in ("reader", "other-reader", "editor", "admin")
        }
        _, feeds_key = await factories.create_api_key(session, scopes=(Scope.FEEDS_READ,))
        _, writer_key = await factories.create_api_key(session, scopes=(Scope.ARTICLES_WRITE,))
        article_id = await factories.create_article(session, topics=["China-Russia relations"])
    await database.engine.dispose()
    await engine.dispose()

    now = datetime.now(UTC)

    def bearer(role: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {create_access_token(world_settings, accounts[role].id, now)}"
        }

    principals = Principals(
        reader=bearer("reader"),
        other_reader=bearer("other-reader"),
        editor=bearer("editor"),
        admin=bearer("admin"),
        feeds_key={"X-API-Key": feeds_key},
        writer_key={"X-API-Key": writer_key},
        reader_id=accounts["reader"].id,
        other_reader_id=accounts["other-reader"].id,
        article_id=article_id,
    )
    return World(WORLD_APP, world_settings, principals)
