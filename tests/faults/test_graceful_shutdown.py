"""SIGTERM: requests in flight finish, new connections are refused, and the process exits
within MYNEWS_SHUTDOWN_TIMEOUT_SECONDS however a client behaves."""

import asyncio
import json
import signal
import sqlite3
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import closing, suppress
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import StartApi
from tests.faults.harness import (
    DEMO_EDITOR,
    DEMO_READER,
    ApiServer,
    api_env,
    client_for,
    login,
    run_cli,
)

# Brings its own servers and databases: run once per test run, not once per test database.
pytestmark = pytest.mark.standalone


EVENTS = 200
ARTICLES = 50
# uvicorn re-raises the SIGTERM it handled once shut down, so a clean exit is "terminated by
# SIGTERM" (shell status 143), as supervisors expect; a crash or a SIGKILL reads otherwise.
CLEAN_EXIT = -signal.SIGTERM


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo accounts and newsroom, shared by this module."""
    path = tmp_path_factory.mktemp("shutdown") / "x.db"
    env = api_env(f"sqlite+aiosqlite:///{path}")
    run_cli(env, "migrate")
    run_cli(env, "seed-demo")
    return path


class HeldBody:
    """A request body sent in two parts: the second only when ``release`` is called.

    The request is in flight in between: the server has its headers and part of its body.
    """

    def __init__(self, payload: object) -> None:
        self.data = json.dumps(payload).encode()
        self.first_part_sent = asyncio.Event()
        self.released = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        middle = len(self.data) // 2
        yield self.data[:middle]
        self.first_part_sent.set()
        await self.released.wait()
        yield self.data[middle:]

    def release(self) -> None:
        self.released.set()


def send_held(
    client: httpx.AsyncClient, path: str, body: HeldBody, headers: dict[str, str]
) -> asyncio.Task[httpx.Response]:
    headers = {**headers, "Content-Type": "application/json"}
    return asyncio.create_task(client.post(path, content=body, headers=headers))


async def assert_new_connections_refused(server: ApiServer, within: float = 3.0) -> None:
    """Once shutting down the server takes no new connection (soon after the signal).

    A connection the kernel queued just before the listener closed is dropped unanswered:
    that is a refusal too.
    """
    deadline = time.monotonic() + within
    while True:
        # A client of its own each time: a new connection, never a kept-alive one.
        async with client_for(server, timeout=1.0) as newcomer:
            try:
                await newcomer.get("/healthz")
            except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
                return
        assert time.monotonic() < deadline, "new connections still accepted after SIGTERM"
        await asyncio.sleep(0.1)


def wait_for_exit(process: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the API was still running {timeout} s after SIGTERM")


def events_payload(article_ids: list[str], event_ids: list[str], now: str) -> dict[str, object]:
    events = [
        {
            "id": event_id,
            "type": "open",
            "article_id": article_ids[n % len(article_ids)],
            "occurred_at": now,
        }
        for n, event_id in enumerate(event_ids)
    ]
    return {"events": events}


def articles_payload(run: str, now: str) -> dict[str, object]:
    articles = [
        {
            "external_id": f"shutdown-{run}-{n}",
            "url": f"https://shutdown.example/{run}/{n}",
            "headline": f"Published while the API shut down, part {n}",
            "published_at": now,
            "topics": ["Shutdown drills"],
        }
        for n in range(ARTICLES)
    ]
    return {"articles": articles}


async def test_sigterm_lets_in_flight_requests_finish_and_refuses_new_connections(
    database: Path, start_api: StartApi
) -> None:
    shutdown_timeout = 10
    server = start_api(
        api_env(f"sqlite+aiosqlite:///{database}", shutdown_timeout_seconds=shutdown_timeout)
    )
    await server.wait_until_live()
    process = server.running_process()

    async with client_for(server) as client:
        reader = await login(client, *DEMO_READER)
        editor = await login(client, *DEMO_EDITOR)
        listed = await client.get("/v1/articles", params={"limit": 10})
        article_ids = [item["id"] for item in listed.json()["items"]]
        now = datetime.now(UTC).isoformat()
        event_ids = [uuid.uuid4().hex for _ in range(EVENTS)]
        events = HeldBody(events_payload(article_ids, event_ids, now))
        run = uuid.uuid4().hex[:8]
        articles = HeldBody(articles_payload(run, now))
        in_flight = [
            send_held(client, "/v1/me/events", events, reader),
            send_held(client, "/v1/articles/batch", articles, editor),
        ]
        try:
            await asyncio.wait_for(events.first_part_sent.wait(), timeout=10)
            await asyncio.wait_for(articles.first_part_sent.wait(), timeout=10)
            await asyncio.sleep(0.3)  # for the server to read the headers and first part

            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            await assert_new_connections_refused(server)
            assert process.poll() is None, "the API exited with requests in flight"
        finally:
            events.release()
            articles.release()
            recorded, published = await asyncio.gather(*in_flight, return_exceptions=True)

    assert isinstance(recorded, httpx.Response), recorded
    assert isinstance(published, httpx.Response), published
    assert recorded.status_code == 202, recorded.text
    assert recorded.json()["accepted"] == EVENTS
    assert published.status_code == 200, published.text
    assert [r["status"] for r in published.json()["results"]] == ["created"] * ARTICLES

    returncode = await asyncio.to_thread(wait_for_exit, process, shutdown_timeout)
    assert time.monotonic() - signalled < shutdown_timeout
    assert returncode == CLEAN_EXIT
    log = server.log()
    assert "Finished server process" in log
    assert "timeout graceful shutdown exceeded" not in log
    assert "Traceback" not in log

    # What the API acknowledged while shutting down was committed.
    with closing(sqlite3.connect(database)) as connection:
        stored_events = connection.execute(
            "SELECT count(*) FROM reading_events WHERE client_event_id IN "
            "(SELECT value FROM json_each(?))",
            (json.dumps(event_ids),),
        ).fetchone()[0]
        stored_articles = connection.execute(
            "SELECT count(*) FROM articles WHERE external_id LIKE ?", (f"shutdown-{run}-%",)
        ).fetchone()[0]
    assert (stored_events, stored_articles) == (EVENTS, ARTICLES)


async def test_sigterm_with_a_stalled_client_exits_within_the_shutdown_timeout(
    database: Path, start_api: StartApi
) -> None:
    shutdown_timeout = 2
    server = start_api(
        api_env(f"sqlite+aiosqlite:///{database}", shutdown_timeout_seconds=shutdown_timeout)
    )
    await server.wait_until_live()
    process = server.running_process()

    async with client_for(server) as client:
        reader = await login(client, *DEMO_READER)
        # Half a request, and the rest never comes.
        stalled_body = HeldBody({"events": [{"id": "never-finished"}]})
        stalled = send_held(client, "/v1/me/events", stalled_body, reader)
        try:
            await asyncio.wait_for(stalled_body.first_part_sent.wait(), timeout=10)
            await asyncio.sleep(0.3)
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            returncode = await asyncio.to_thread(wait_for_exit, process, shutdown_timeout + 3)
            exited_after = time.monotonic() - signalled
        finally:
            stalled_body.release()
            with suppress(httpx.HTTPError):
                await stalled

    # It waited for the request, up to the timeout, then gave up on it and exited.
    assert shutdown_timeout <= exited_after < shutdown_timeout + 3
    assert returncode == CLEAN_EXIT
    log = server.log()
    assert "timeout graceful shutdown exceeded" in log
    assert "Finished server process" in log
