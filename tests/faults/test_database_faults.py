"""The API against a PostgreSQL that restarts, starts late, or runs out of connections.

Each test runs its own throwaway PostgreSQL cluster and a real API process, so it can stop
and lock the database freely without touching any other test's (or the shared server's).
"""

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from app.models import ReadingEvent
from tests.faults.conftest import StartApi
from tests.faults.harness import (
    DEMO_EDITOR,
    DEMO_READER,
    ThrowawayPostgres,
    api_env,
    client_for,
    login,
    postgres_unavailable_reason,
    run_cli,
)

UNAVAILABLE_REASON = postgres_unavailable_reason()
pytestmark = [
    pytest.mark.standalone,
    pytest.mark.skipif(
        UNAVAILABLE_REASON is not None, reason=f"no throwaway PostgreSQL: {UNAVAILABLE_REASON}"
    ),
]

DRILL_TOPIC = "Fault drills"
READY_WITHIN_SECONDS = 15.0
# The API gives up on an unreachable database after this; requests must not hang longer.
CONNECT_TIMEOUT_SECONDS = 2
SUCCESS = {200, 201, 202}
LOAD_WORKERS = 4


def assert_database_unavailable(response: httpx.Response) -> None:
    """A 503 problem that tells the client when to come back."""
    assert response.status_code == 503, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["status"] == 503


async def wait_until_ready(client: httpx.AsyncClient, within: float) -> None:
    """Wait for /readyz to answer 200; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if (await client.get("/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.2)
    pytest.fail(f"/readyz did not answer 200 within {within} s of the database coming back")


@asynccontextmanager
async def direct_engine(cluster: ThrowawayPostgres) -> AsyncIterator[AsyncEngine]:
    """An engine of the test's own, beside the API's (no pool: nothing kept open)."""
    engine = create_async_engine(cluster.url, poolclass=NullPool)
    try:
        yield engine
    finally:
        await engine.dispose()


def now_rfc3339(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).isoformat()


def article_payload(headline: str) -> dict[str, object]:
    return {
        "url": f"https://faults.example/drill/{uuid.uuid4().hex}",
        "headline": headline,
        "published_at": now_rfc3339(timedelta(minutes=-1)),
        "topics": [DRILL_TOPIC],
    }


# --- A restart under load ----------------------------------------------------------------------


@dataclass
class Outcome:
    operation: str
    started: float
    finished: float
    status: int | None = None
    retry_after: str | None = None
    content_type: str | None = None
    error: str | None = None


@dataclass
class LoadLog:
    outcomes: list[Outcome] = field(default_factory=list)
    # Writes the API acknowledged, to look for once the dust settles.
    articles: dict[str, str] = field(default_factory=dict)
    event_ids: list[str] = field(default_factory=list)
    miscounted_batches: list[str] = field(default_factory=list)


@dataclass
class Workload:
    client: httpx.AsyncClient
    editor: dict[str, str]
    reader: dict[str, str]
    article_ids: list[str]
    log: LoadLog
    stop: asyncio.Event
    events_per_batch: int = 5
    pause_seconds: float = 0.02

    async def run_worker(self, worker: int) -> None:
        """Writes and reads in turn until told to stop; every outcome is logged, none raised."""
        operations = ("create-article", "record-events", "list-articles")
        for step in itertools.count(worker):
            if self.stop.is_set():
                return
            operation = operations[step % len(operations)]
            outcome = Outcome(operation, started=time.monotonic(), finished=0.0)
            try:
                response = await self._perform(operation)
            except httpx.HTTPError as error:
                outcome.error = repr(error)
            else:
                outcome.status = response.status_code
                outcome.retry_after = response.headers.get("retry-after")
                outcome.content_type = response.headers.get("content-type")
            outcome.finished = time.monotonic()
            self.log.outcomes.append(outcome)
            await asyncio.sleep(self.pause_seconds)

    async def _perform(self, operation: str) -> httpx.Response:
        if operation == "create-article":
            payload = article_payload("A drill story")
            response = await self.client.post("/v1/articles", json=payload, headers=self.editor)
            if response.status_code == 201:
                self.log.articles[response.json()["id"]] = str(payload["url"])
            return response
        if operation == "record-events":
            ids = [uuid.uuid4().hex for _ in range(self.events_per_batch)]
            events = [
                {
                    "id": event_id,
                    "type": "open",
                    "article_id": self.article_ids[n % len(self.article_ids)],
                    "occurred_at": now_rfc3339(),
                }
                for n, event_id in enumerate(ids)
            ]
            response = await self.client.post(
                "/v1/me/events", json={"events": events}, headers=self.reader
            )
            if response.status_code == 202:
                self.log.event_ids += ids
                if response.json()["accepted"] != len(ids):
                    self.log.miscounted_batches.append(response.text)
            return response
        return await self.client.get("/v1/articles", params={"limit": 5})


def assert_outage_answered_with_503s(log: LoadLog, went_down: float, ready: float) -> None:
    """Served before the outage and after recovery; during it, prompt 503s and nothing else."""
    outcomes = log.outcomes
    errors = [o for o in outcomes if o.error is not None]
    assert not errors, f"{len(errors)} requests failed at the HTTP level: {errors[:5]}"
    unexpected = [o for o in outcomes if o.status not in {*SUCCESS, 503}]
    assert not unexpected, f"statuses other than 2xx and 503: {unexpected[:5]}"
    unavailable = [o for o in outcomes if o.status == 503]
    assert unavailable, "no request saw the outage: the test did not test anything"
    assert all(o.retry_after and int(o.retry_after) > 0 for o in unavailable)
    assert {o.content_type for o in unavailable} == {"application/problem+json"}
    slowest = max(o.finished - o.started for o in outcomes)
    # Loose on purpose (a busy machine is slow); what matters is that nothing hangs.
    assert slowest < CONNECT_TIMEOUT_SECONDS + 10, f"a request hung for {slowest:.1f} s"
    assert all(o.status in SUCCESS for o in outcomes if o.finished < went_down)
    after_ready = [o for o in outcomes if o.started >= ready]
    assert after_ready
    assert all(o.status in SUCCESS for o in after_ready), after_ready


async def assert_acknowledged_writes_stored(
    client: httpx.AsyncClient, engine: AsyncEngine, log: LoadLog
) -> None:
    assert not log.miscounted_batches
    assert log.articles
    for article_id, url in log.articles.items():
        response = await client.get(f"/v1/articles/{article_id}")
        assert response.status_code == 200, (article_id, response.text)
        assert response.json()["url"] == url
    assert log.event_ids
    async with engine.connect() as connection:
        stored = await connection.scalars(
            select(ReadingEvent.client_event_id).where(
                ReadingEvent.client_event_id.in_(log.event_ids)
            )
        )
        assert set(stored) == set(log.event_ids)


# "fast" ends every session and checkpoints, as a restart or a failover does; "immediate"
# kills the server as a crash does, and it recovers from its WAL when started again.
@pytest.mark.parametrize("stop_mode", ["fast", "immediate"], ids=["restart", "crash"])
async def test_database_restart_under_load_is_503s_then_recovers_with_no_write_lost(
    postgres: ThrowawayPostgres, start_api: StartApi, stop_mode: str
) -> None:
    await asyncio.to_thread(postgres.start)
    setup_env = api_env(postgres.url)
    await asyncio.to_thread(run_cli, setup_env, "migrate")
    await asyncio.to_thread(run_cli, setup_env, "seed-demo")
    server = start_api(
        api_env(
            postgres.url,
            db_connect_timeout_seconds=CONNECT_TIMEOUT_SECONDS,
            db_pool_timeout_seconds=2,
            db_statement_timeout_ms=5000,
        )
    )
    await server.wait_until_live()

    async with client_for(server) as client, direct_engine(postgres) as engine:
        editor = await login(client, *DEMO_EDITOR)
        reader = await login(client, *DEMO_READER)
        # The topic exists before the load, so concurrent articles never race to create it.
        first = await client.post("/v1/articles", json=article_payload("Drill"), headers=editor)
        assert first.status_code == 201, first.text
        article_ids = [first.json()["id"]]
        listed = await client.get("/v1/articles", params={"limit": 3})
        article_ids += [item["id"] for item in listed.json()["items"]]

        log = LoadLog()
        stop = asyncio.Event()
        load = Workload(client, editor, reader, article_ids, log, stop)
        workers = [asyncio.create_task(load.run_worker(n)) for n in range(LOAD_WORKERS)]
        try:
            await asyncio.sleep(2)
            went_down = time.monotonic()
            await asyncio.to_thread(postgres.stop, stop_mode)
            await asyncio.sleep(3)
            await asyncio.to_thread(postgres.start)
            await wait_until_ready(client, within=READY_WITHIN_SECONDS)
            ready = time.monotonic()
            await asyncio.sleep(2)
        finally:
            stop.set()
            await asyncio.gather(*workers)

        assert_outage_answered_with_503s(log, went_down, ready)
        # The same process throughout: it recovered without a restart.
        assert server.running_process().poll() is None
        await assert_acknowledged_writes_stored(client, engine, log)

    server_log = server.log()
    assert "Traceback" not in server_log
    assert "unhandled error" not in server_log


# --- Start-up before the database ---------------------------------------------------------------


async def test_api_started_before_the_database_becomes_ready_without_a_restart(
    postgres: ThrowawayPostgres, start_api: StartApi
) -> None:
    server = start_api(api_env(postgres.url, db_connect_timeout_seconds=CONNECT_TIMEOUT_SECONDS))
    await server.wait_until_live()

    async with client_for(server) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert_database_unavailable(await client.get("/readyz"))
        assert_database_unavailable(await client.get("/v1/articles"))

        await asyncio.to_thread(postgres.start)
        await asyncio.to_thread(run_cli, api_env(postgres.url), "migrate")
        await wait_until_ready(client, within=READY_WITHIN_SECONDS)
        listed = await client.get("/v1/articles")
        assert listed.status_code == 200, listed.text
        assert listed.json()["items"] == []

    # Never restarted: the process that started without a database serves with one.
    assert server.running_process().poll() is None


# --- One connection, held by a blocked query ----------------------------------------------------

POOL_TIMEOUT_SECONDS = 1.0
STATEMENT_TIMEOUT_SECONDS = 2.0


async def timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


async def app_connections(engine: AsyncEngine, *, waiting_on_lock: bool = False) -> int:
    """The API's sessions on the server (it names itself 'mynews')."""
    statement = (
        select(func.count())
        .select_from(text("pg_stat_activity"))
        .where(text("application_name = 'mynews'"))
    )
    if waiting_on_lock:
        statement = statement.where(text("wait_event_type = 'Lock'"))
    async with engine.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def test_exhausted_pool_and_statement_timeout_are_prompt_503s_and_leak_nothing(
    postgres: ThrowawayPostgres, start_api: StartApi
) -> None:
    await asyncio.to_thread(postgres.start)
    await asyncio.to_thread(run_cli, api_env(postgres.url), "migrate")
    server = start_api(
        api_env(
            postgres.url,
            db_pool_size=1,
            db_max_overflow=0,
            db_pool_timeout_seconds=POOL_TIMEOUT_SECONDS,
            db_statement_timeout_ms=int(STATEMENT_TIMEOUT_SECONDS * 1000),
        )
    )
    await server.wait_until_live()

    async with client_for(server) as client, direct_engine(postgres) as engine:
        assert (await client.get("/v1/articles")).status_code == 200
        async with engine.connect() as locker:
            # Held until rolled back: the API's next read of articles waits on it, holding
            # the pool's only connection.
            await locker.execute(text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
            blocked = asyncio.create_task(timed(client.get("/v1/articles")))
            deadline = time.monotonic() + 5
            while not await app_connections(engine, waiting_on_lock=True):
                assert time.monotonic() < deadline, "the API's query never waited on the lock"
                await asyncio.sleep(0.05)

            queued = await asyncio.gather(
                timed(client.get("/readyz")),
                timed(client.get("/v1/topics")),
                timed(client.get(f"/v1/articles/{uuid.uuid4().hex}")),
            )
            for response, elapsed in queued:
                assert_database_unavailable(response)
                # Answered by the pool's timeout, not left hanging (bounds are loose: the
                # machine may be busy; this checks behaviour, not speed).
                assert POOL_TIMEOUT_SECONDS * 0.9 <= elapsed < STATEMENT_TIMEOUT_SECONDS + 8

            response, elapsed = await blocked
            assert_database_unavailable(response)
            assert STATEMENT_TIMEOUT_SECONDS * 0.9 <= elapsed < STATEMENT_TIMEOUT_SECONDS + 10
            await locker.rollback()

        listed = await client.get("/v1/articles")
        assert listed.status_code == 200, listed.text
        assert (await client.get("/readyz")).status_code == 200
        assert await app_connections(engine) <= 1

        server.stop()
        deadline = time.monotonic() + 5
        while await app_connections(engine):
            assert time.monotonic() < deadline, "the stopped API left sessions open"
            await asyncio.sleep(0.1)

    assert "Traceback" not in server.log()
