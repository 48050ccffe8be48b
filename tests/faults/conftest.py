"""Fixtures for fault tests: API processes and throwaway PostgreSQL clusters, always stopped."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults.harness import ApiServer, ThrowawayPostgres, postgres_unavailable_reason

StartApi = Callable[[dict[str, str]], ApiServer]


@pytest.fixture
def postgres() -> Iterator[ThrowawayPostgres]:
    """An initialised PostgreSQL cluster of the test's own, not yet started."""
    reason = postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    cluster = ThrowawayPostgres()
    try:
        cluster.initdb()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def start_api(tmp_path: Path) -> Iterator[StartApi]:
    """Start API processes (not yet waited for); every one is stopped when the test ends."""
    servers: list[ApiServer] = []

    def start(env: dict[str, str]) -> ApiServer:
        server = ApiServer(env, tmp_path / f"api-{len(servers)}.log")
        servers.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
