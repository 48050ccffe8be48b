"""Logins ended lately, whose access tokens every worker refuses.

An access token is checked without the database and lives ``access_token_ttl_seconds``; it
names its login (its ``sid`` claim: the family of refresh tokens it was issued with). A login
ends when its reader logs out, or when a spent refresh token of it is presented again (it was
copied: every token of that login dies, the access tokens with the rest). The worker that
ends it refuses its access tokens as soon as that commits; every worker reads the logins
ended meanwhile (revoked refresh tokens, by an index of their own) every
``READ_EVERY_SECONDS``, and refuses their access tokens for as long as one issued before the
end can live.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import RefreshToken

logger = logging.getLogger(__name__)

READ_EVERY_SECONDS = 2.0
# Each read looks this far back before the newest end it has seen: an end whose transaction
# commits after a later one's is still read.
OVERLAP = timedelta(seconds=60)


class EndedLogins:
    """The logins this worker knows to have ended, each refused for ``keep_seconds`` (an
    access token's lifetime and then some) from when it learnt of it."""

    def __init__(self, keep_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._keep = keep_seconds
        self._clock = clock
        self._ended: dict[str, float] = {}
        self._read_up_to: datetime | None = None

    def __contains__(self, login: object) -> bool:
        until = self._ended.get(login) if isinstance(login, str) else None
        return until is not None and until > self._clock()

    def end(self, login: str) -> None:
        """Refuse the access tokens of ``login`` from now on."""
        self._ended[login] = self._clock() + self._keep

    async def read(self, session: AsyncSession) -> None:
        """Learn the logins ended since the last read (since ``keep_seconds`` ago, the first
        time), and forget those ended long enough ago."""
        if self._read_up_to is None:
            since = datetime.now(UTC) - timedelta(seconds=self._keep)
        else:
            since = self._read_up_to - OVERLAP
        rows = await session.execute(
            select(RefreshToken.family_id, func.max(RefreshToken.revoked_at))
            .where(RefreshToken.revoked_at > since)
            .group_by(RefreshToken.family_id)
        )
        for login, ended_at in rows:
            if login not in self:
                self.end(login)
            if ended_at is not None and (self._read_up_to is None or ended_at > self._read_up_to):
                self._read_up_to = ended_at
        now = self._clock()
        self._ended = {login: until for login, until in self._ended.items() if until > now}

    async def keep_reading(
        self, sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]]
    ) -> None:
        """``read`` every ``READ_EVERY_SECONDS`` until cancelled; a failed read is logged and
        tried again at the next turn."""
        while True:
            try:
                async with sessions() as session:
                    await self.read(session)
            except Exception as error:  # the database may be down; the next turn retries
                logger.warning("Ended logins not read (%s: %s)", type(error).__name__, error)
            await asyncio.sleep(READ_EVERY_SECONDS)
