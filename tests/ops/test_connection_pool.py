"""A worker under load past its connection pool reuses the pool's connections.

A connection opened beyond the pool is closed as soon as the pool has enough idle ones; under
steady load each such connection is a new server process that prepares every statement
again, for one request. Past the pool size, requests wait their turn instead.
"""

import asyncio

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.main import create_app
from tests.conftest import settings_for

POOL_SIZE = 2


async def test_requests_beyond_the_pool_wait_for_its_connections(
    database_url: str, engine: AsyncEngine
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite opens its file, not connections to a server")
    app = create_app(settings_for(database_url, db_pool_size=POOL_SIZE))
    opened: list[object] = []
    event.listen(app.state.database.engine.sync_engine, "connect", lambda *_: opened.append(1))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://pool") as client:
            for _ in range(3):
                responses = await asyncio.gather(*(client.get("/v1/topics") for _ in range(20)))
                assert {r.status_code for r in responses} == {200}
    finally:
        await app.state.database.engine.dispose()
    assert len(opened) == POOL_SIZE
