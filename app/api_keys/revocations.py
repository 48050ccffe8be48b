"""Revoked keys, refused at once by every worker of a deployment on PostgreSQL.

Workers keep the keys they verified for a few seconds (``api_key_cache_seconds``), so that
constantly polled partner feeds do not read the database for each poll. A revocation is
announced with ``NOTIFY`` in the revoking transaction, so it is heard when it commits, and
never if it rolls back; each worker listens on a connection of its own and forgets every key
it verified when it hears one. While a worker is not listening (SQLite, or its connection is
down and being reopened) the interval alone bounds how long it may still honour a revoked key;
reconnecting, it forgets every key, as it may have missed announcements meanwhile.
"""

import asyncio
import logging
from collections.abc import Callable

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import dialect_name

logger = logging.getLogger(__name__)

CHANNEL = "mynews_api_key_revoked"
# A quiet connection is checked this often, so one that died silently is replaced.
PING_SECONDS = 30.0
# Waits between attempts to reopen the connection.
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)


async def announce(session: AsyncSession, key_id: str) -> None:
    """Tell every listening worker, when this transaction commits, that a key was revoked."""
    if dialect_name(session) == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, key_id)))


def revocation_listener(
    database_url: str, on_revoked: Callable[[str | None], None], *, connect_timeout: float
) -> "RevocationListener | None":
    """A listener for the app's database; None where there is nothing to listen to (SQLite)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return RevocationListener(dsn, on_revoked, connect_timeout=connect_timeout)


class RevocationListener:
    """Calls ``on_revoked`` with the key's id for each announced revocation, and with None
    whenever it may have missed some (on every connection made or lost)."""

    def __init__(
        self, dsn: str, on_revoked: Callable[[str | None], None], *, connect_timeout: float
    ) -> None:
        self.dsn = dsn
        self.on_revoked = on_revoked
        self.connect_timeout = connect_timeout
        self.listening = False

    async def run(self) -> None:
        """Listen until cancelled, reopening the connection whenever it is lost."""
        failures = 0
        while True:
            try:
                await self._listen_once()
                failures = 0
                logger.warning("The API key revocations connection was lost; reopening it")
            except Exception as error:  # whatever the cause, try again later
                failures += 1
                logger.warning(
                    "Not listening for API key revocations (%s: %s)",
                    type(error).__name__,
                    error,
                )
            await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])

    async def _listen_once(self) -> None:
        """One connection's life: listen until it is lost (or found dead by a ping)."""
        connection = await asyncpg.connect(
            self.dsn,
            timeout=self.connect_timeout,
            server_settings={"application_name": "mynews-revocations"},
        )
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHANNEL, self._heard)
            self.listening = True
            self.on_revoked(None)
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), timeout=PING_SECONDS)
                except TimeoutError:
                    await connection.execute("SELECT 1", timeout=self.connect_timeout)
        finally:
            self.listening = False
            self.on_revoked(None)
            if not connection.is_closed():
                connection.terminate()

    def _heard(self, _connection: object, _pid: int, _channel: str, key_id: str) -> None:
        self.on_revoked(key_id)
