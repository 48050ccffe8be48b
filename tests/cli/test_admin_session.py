"""Admin commands' work runs without the requests' statement timeout, as migrations do."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app import cli
from tests.conftest import settings_for


def test_admin_work_outlasts_the_request_statement_timeout(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no statement timeout")
    # Requests may run a statement for 50 ms; the command's takes 300.
    settings = settings_for(database_url, db_statement_timeout_ms=50)
    monkeypatch.setattr(cli, "_settings", lambda: settings)

    async def slow(session: AsyncSession) -> object:
        return await session.scalar(text("SELECT 1 FROM pg_sleep(0.3)"))

    assert cli._run_in_session(slow) == 1
