"""Revocations reach every worker: announced with the revoking commit, heard by each worker's
listener (PostgreSQL), which forgets the keys it verified."""

import asyncio
from collections.abc import AsyncIterator, Callable

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from app.api_keys.revocations import CHANNEL, RevocationListener, announce, revocation_listener
from app.auth.dependencies import VerifiedKeys
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models import ApiKey
from tests import factories

# Announcements arrive within milliseconds; this only bounds a failing test.
HEARD_WITHIN_SECONDS = 10.0


def on_postgres(settings: Settings) -> bool:
    return make_url(settings.database_url).get_backend_name() == "postgresql"


async def eventually(check: Callable[[], bool]) -> None:
    """Wait until ``check()`` holds (failing after ``HEARD_WITHIN_SECONDS``): what it reads is
    plain state the app keeps, with no event to wait on."""
    async with asyncio.timeout(HEARD_WITHIN_SECONDS):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def announce_committed(settings: Settings, key_id: str) -> None:
    """A revocation announced and committed, as the admin endpoint does it."""
    database = Database.from_settings(settings, pooled=False)
    try:
        async with database.sessionmaker() as session:
            await announce(session, key_id)
            await session.commit()
    finally:
        await database.engine.dispose()


def test_a_verification_that_raced_with_a_revocation_is_not_kept() -> None:
    verified = VerifiedKeys(ttl_seconds=60)
    key = ApiKey(id="key-1", name="Partner", prefix="mnk_abc", key_hash="h", scopes=[])
    verified.keep("secret", key, verified.generation)
    assert verified.get("secret") is key

    # Read from the database, then a revocation is heard before the key is kept.
    read_at = verified.generation
    verified.forget_all()
    verified.keep("secret", key, read_at)
    assert verified.get("secret") is None


async def test_revoking_a_key_announces_it_on_postgresql(
    client: httpx.AsyncClient,
    admin: factories.Account,
    settings: Settings,
    executed: list[str],
) -> None:
    created = await client.post(
        "/v1/admin/api-keys", headers=admin.headers, json={"name": "P", "scopes": ["feeds:read"]}
    )
    executed.clear()
    revoked = await client.delete(
        f"/v1/admin/api-keys/{created.json()['id']}", headers=admin.headers
    )
    assert revoked.status_code == 204
    announced = [s for s in executed if "pg_notify" in s]
    assert len(announced) == (1 if on_postgres(settings) else 0)


async def test_a_running_app_forgets_its_verified_keys_when_another_worker_revokes_one(
    settings: Settings,
) -> None:
    if not on_postgres(settings):
        pytest.skip("announcements need PostgreSQL; on SQLite the interval bounds it")
    app = create_app(settings)
    verified: VerifiedKeys = app.state.verified_keys
    key = ApiKey(id="key-1", name="Partner", prefix="mnk_abc", key_hash="h", scopes=[])
    async with app.router.lifespan_context(app):
        # The listener forgets everything once it is connected: keep the key after that.
        await eventually(lambda: verified.generation > 0)
        verified.keep("secret", key, verified.generation)
        assert verified.get("secret") is key

        await announce_committed(settings, "key-1")
        await eventually(lambda: verified.get("secret") is None)


@pytest.fixture
async def listening(
    settings: Settings,
) -> AsyncIterator[tuple[RevocationListener, list[str | None]]]:
    """A connected listener, and what it has heard since (key ids; None: some may be missed)."""
    if not on_postgres(settings):
        pytest.skip("announcements need PostgreSQL")
    heard: list[str | None] = []
    listener = revocation_listener(settings.database_url, heard.append, connect_timeout=5)
    assert isinstance(listener, RevocationListener)
    task = asyncio.create_task(listener.run())
    try:
        await eventually(lambda: listener.listening)
        heard.clear()
        yield listener, heard
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_an_announcement_rolled_back_is_never_heard(
    settings: Settings, listening: tuple[RevocationListener, list[str | None]]
) -> None:
    _, heard = listening
    database = Database.from_settings(settings, pooled=False)
    try:
        async with database.sessionmaker() as session:
            await announce(session, "key-1")
            await session.rollback()
    finally:
        await database.engine.dispose()
    # Announcements arrive in commit order: had the first been sent, it would come before.
    await announce_committed(settings, "key-2")
    await eventually(lambda: "key-2" in heard)
    assert heard == ["key-2"]


async def test_a_lost_connection_forgets_every_key_and_listens_again(
    settings: Settings, listening: tuple[RevocationListener, list[str | None]]
) -> None:
    listener, heard = listening
    dsn = make_url(settings.database_url).set(drivername="postgresql")
    admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        # The server drops the listening connection (a restart, a failover, an idle timeout).
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'mynews-revocations' "
            "AND pid <> pg_backend_pid()"
        )
        # Announcements may have been missed meanwhile: everything verified is forgotten.
        await eventually(lambda: None in heard and listener.listening)
        heard.clear()
        await admin.execute("SELECT pg_notify($1, 'key-3')", CHANNEL)
        await eventually(lambda: "key-3" in heard)
    finally:
        await admin.close()
