"""A separate, committed database and app for tests that drive the API from outside:
schema-driven fuzzing, call sequences and the authorization matrix. Nothing here is rolled
back, so it lives in its own database (a file on SQLite, a sibling database on PostgreSQL).

The seeded world is also kept as a pristine copy, from which the call-sequence tests restore
their own database before every sequence.
"""

import asyncio
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app import demo
from app.auth.security import create_access_token
from app.cache import Cache
from app.config import Settings
from app.db import Database, create_engine
from app.main import create_app
from app.models import Scope
from tests import factories
from tests.conftest import run_alembic, settings_for

# Schema-valid but meaningless values are refused with these too: an opaque cursor that was
# never issued (400), an unknown id or slug (404), a taken email (409), a retracted article
# (410), a body over 1 MiB (413), and rules JSON Schema cannot state (422): a publication
# date years ahead, a snooze that ends in the past.
SCHEMATHESIS_CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": [
                    "2xx",
                    "3xx",
                    "400",
                    "401",
                    "403",
                    "404",
                    "409",
                    "410",
                    "413",
                    "422",
                    "429",
                ]
            }
        }
    }
)


def schema_of(app: FastAPI) -> OpenApiSchema:
    """The app's OpenAPI document for schemathesis, which calls the app with the cases it
    makes. Read from the app itself, not asked of it: the first call to an app starts its
    lifespan, whose background readers would connect to its database at import, before the
    fixtures have made that database (one still connected to it cannot be copied)."""
    schema = schemathesis.openapi.from_dict(app.openapi(), config=SCHEMATHESIS_CONFIG)
    schema.app = app
    return schema


@dataclass
class Principals:
    """Credentials of every kind of caller, as request headers."""

    reader: dict[str, str]
    other_reader: dict[str, str]
    editor: dict[str, str]
    admin: dict[str, str]
    feeds_key: dict[str, str]
    writer_key: dict[str, str]
    all_scopes_key: dict[str, str]
    reader_id: str
    other_reader_id: str
    article_id: str


@dataclass
class World:
    app: FastAPI
    settings: Settings
    principals: Principals


def _sibling_database_url(name: str) -> str:
    """A database beside the test database: a temporary file, or a sibling on the server."""
    base = os.environ.get("MYNEWS_TEST_DATABASE_URL")
    if not base:
        return f"sqlite+aiosqlite:///{tempfile.gettempdir()}/mynews-{name}-{os.getpid()}.db"
    url = make_url(base)
    return url.set(database=f"{url.database}_{name}").render_as_string(hide_password=False)


# Built at import: schema-driven tests read the app's OpenAPI document while collecting.
# schemathesis serves every in-process call from one event loop of its own, so the world app
# keeps a connection pool like a real server.
# Its callers' access tokens are made once, and must outlast a long run of the suite.
WORLD_SETTINGS = settings_for(
    _sibling_database_url("world"), rate_limits_enabled=False, access_token_ttl_seconds=86_400
)
WORLD_APP = create_app(WORLD_SETTINGS)
PRISTINE_URL = _sibling_database_url("pristine")
SEQUENCES_SETTINGS = settings_for(_sibling_database_url("sequences"), rate_limits_enabled=False)
SEQUENCES_APP = create_app(SEQUENCES_SETTINGS)
# Its database is dropped and copied before every sequence: no connection may outlive a call.
SEQUENCES_APP.state.database = Database.from_settings(SEQUENCES_SETTINGS, pooled=False)


async def _recreate_database(database_url: str, *, template: str | None = None) -> None:
    """Drop the database and create it empty, or as a copy of ``template`` (a database URL)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        path = Path(url.database or "")
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        if template:
            shutil.copyfile(make_url(template).database or "", path)
        return
    server = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{make_url(template).database}"' if template else ""
    async with server.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{url.database}"{copy_of}'))
    await server.dispose()


def restore_sequences_database() -> None:
    """Put the call-sequence database back to the freshly seeded world, with empty caches."""
    asyncio.run(_recreate_database(SEQUENCES_SETTINGS.database_url, template=PRISTINE_URL))
    SEQUENCES_APP.state.cache = Cache(None, max_bytes=SEQUENCES_SETTINGS.cache_max_mb * 2**20)
    SEQUENCES_APP.state.feed_topics.forget()


@pytest.fixture(scope="session")
async def world() -> World:
    """The demo newsroom, accounts of every role and keys of every scope, committed."""
    world_settings = WORLD_SETTINGS
    await _recreate_database(world_settings.database_url)
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
        _, all_scopes_key = await factories.create_api_key(session, scopes=tuple(Scope))
        article_id = await factories.create_article(session, topics=["China-Russia relations"])
    await database.engine.dispose()
    await engine.dispose()
    await _recreate_database(PRISTINE_URL, template=world_settings.database_url)

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
        all_scopes_key={"X-API-Key": all_scopes_key},
        reader_id=accounts["reader"].id,
        other_reader_id=accounts["other-reader"].id,
        article_id=article_id,
    )
    return World(WORLD_APP, world_settings, principals)
