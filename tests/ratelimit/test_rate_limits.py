"""Rate limits: per API key, per user, per client IP, for logins, alone and across processes."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, closing, suppress
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.auth.dependencies import current_user_id
from app.config import Settings
from app.db import Database
from app.errors import Forbidden
from app.main import create_app
from app.models import ReadingEvent
from tests import factories

TOPIC = "World news"
FEED = "/v1/topics/world-news/feed.rss"
RATE_LIMIT_HEADERS = ("RateLimit", "RateLimit-Policy", "X-RateLimit-Limit", "X-RateLimit-Reset")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCAL_REDIS = ("127.0.0.1", 6379)
SHARED_REDIS_DB = 15
STARTUP_TIMEOUT_SECONDS = 30.0
WRONG_PASSWORD = "not the password"


class AppFactory:
    """Apps with changed settings that share the test's database transaction."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessionmaker = sessionmaker

    def __call__(self, **changes: object) -> FastAPI:
        app = create_app(self.settings.model_copy(update=changes))
        app.state.database = Database(self.engine, self.sessionmaker)
        return app


@pytest.fixture
def build_app(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AppFactory:
    return AppFactory(settings, engine, sessionmaker)


@asynccontextmanager
async def client_for(
    app: FastAPI, client_ip: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(client_ip, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def assert_too_many_requests(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 429
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["x-ratelimit-remaining"] == "0"


async def test_key_quota_counts_down_then_429(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await factories.create_article(session, topics=[TOPIC])
    _, secret = await factories.create_api_key(session, rate_limit_per_minute=3)
    _, other_secret = await factories.create_api_key(session, rate_limit_per_minute=3)

    for remaining in ("2", "1", "0"):
        response = await client.get(FEED, headers={"X-API-Key": secret})
        assert response.status_code == 200
        assert response.headers["x-ratelimit-limit"] == "3"
        assert response.headers["x-ratelimit-remaining"] == remaining
        for header in RATE_LIMIT_HEADERS:
            assert response.headers[header], header
        assert f"remaining={remaining}" in response.headers["ratelimit"]

    limited = await client.get(FEED, headers={"X-API-Key": secret})
    assert_too_many_requests(limited)
    # The same key in the query string is the same quota.
    assert_too_many_requests(await client.get(FEED, params={"key": secret}))
    # Another partner's key has its own quota.
    other = await client.get(FEED, headers={"X-API-Key": other_secret})
    assert other.status_code == 200
    assert other.headers["x-ratelimit-remaining"] == "2"


async def test_feed_revalidations_count_against_the_key_too(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """A worker answers most revalidations before routing them: they count all the same."""
    await factories.create_article(session, topics=[TOPIC])
    _, secret = await factories.create_api_key(session, rate_limit_per_minute=3)
    first = await client.get(FEED, headers={"X-API-Key": secret})
    assert first.headers["x-ratelimit-remaining"] == "2"
    revalidate = {"X-API-Key": secret, "If-None-Match": first.headers["etag"]}
    for remaining in ("1", "0"):
        response = await client.get(FEED, headers=revalidate)
        assert response.status_code == 304
        assert response.headers["x-ratelimit-remaining"] == remaining
        for header in RATE_LIMIT_HEADERS:
            assert response.headers[header], header
    assert_too_many_requests(await client.get(FEED, headers=revalidate))
    assert_too_many_requests(await client.get(FEED, headers={"X-API-Key": secret}))


async def login(
    client: httpx.AsyncClient, username: str, password: str = WRONG_PASSWORD
) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": username, "password": password})


async def test_login_attempts_are_limited_per_account(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    reader: factories.Account,
) -> None:
    bystander = await factories.create_user(session)
    allowed = settings.login_rate_limit_per_account
    assert allowed < settings.login_rate_limit_per_ip  # else the IP limit would answer first
    for _ in range(allowed):
        assert (await login(client, reader.user.email)).status_code == 401
    assert_too_many_requests(await login(client, reader.user.email))
    # While limited, even the right password is refused, in any letter case of the email.
    assert_too_many_requests(await login(client, reader.user.email, reader.password))
    assert_too_many_requests(await login(client, reader.user.email.upper(), reader.password))
    # Another account from the same address can still sign in.
    response = await login(client, bystander.email, factories.DEFAULT_PASSWORD)
    assert response.status_code == 200


async def test_login_attempts_are_limited_per_client_ip(
    client: httpx.AsyncClient,
    app: FastAPI,
    settings: Settings,
    reader: factories.Account,
) -> None:
    for attempt in range(settings.login_rate_limit_per_ip):
        assert (await login(client, f"guess{attempt}@example.com")).status_code == 401
    assert_too_many_requests(await login(client, reader.user.email, reader.password))
    async with client_for(app, "203.0.113.9") as elsewhere:
        response = await login(elsewhere, reader.user.email, reader.password)
        assert response.status_code == 200


async def test_anonymous_calls_are_limited_per_ip_and_users_have_their_own_limit(
    build_app: AppFactory, reader: factories.Account
) -> None:
    app = build_app(rate_limit_anonymous_per_minute=3, rate_limit_user_per_minute=4)
    async with client_for(app) as client:
        for remaining in ("2", "1", "0"):
            response = await client.get("/v1/articles")
            assert response.status_code == 200
            assert response.headers["x-ratelimit-remaining"] == remaining
        assert_too_many_requests(await client.get("/v1/articles"))

        # A signed-in reader on the same address is counted on their own, to their own limit.
        for remaining in ("3", "2", "1", "0"):
            response = await client.get("/v1/articles", headers=reader.headers)
            assert response.status_code == 200
            assert response.headers["x-ratelimit-limit"] == "4"
            assert response.headers["x-ratelimit-remaining"] == remaining
        assert_too_many_requests(await client.get("/v1/articles", headers=reader.headers))

    async with client_for(app, "203.0.113.9") as elsewhere:
        assert (await elsewhere.get("/v1/articles")).status_code == 200


async def test_bodies_refused_before_any_dependency_count_against_the_caller(
    build_app: AppFactory, reader: factories.Account
) -> None:
    app = build_app(rate_limit_user_per_minute=3)
    not_json = {**reader.headers, "Content-Type": "application/json"}
    async with client_for(app) as client:
        for remaining in ("2", "1"):
            response = await client.patch("/v1/me", headers=not_json, content=b"{not json")
            assert response.status_code == 422
            assert response.headers["x-ratelimit-remaining"] == remaining
            assert all(name in response.headers for name in RATE_LIMIT_HEADERS)
        counted_once = await client.patch("/v1/me", headers=reader.headers, json={"x": 1})
        assert counted_once.status_code == 422
        assert counted_once.headers["x-ratelimit-remaining"] == "0"
        assert_too_many_requests(
            await client.patch("/v1/me", headers=not_json, content=b"{not json")
        )


async def test_unknown_paths_and_wrong_methods_count_against_the_caller(
    build_app: AppFactory, reader: factories.Account
) -> None:
    app = build_app(rate_limit_anonymous_per_minute=4, rate_limit_user_per_minute=3)
    async with client_for(app) as client:
        unknown = await client.get("/v1/no-such-thing")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] == "application/problem+json"
        assert unknown.headers["x-ratelimit-remaining"] == "3"
        nul = await client.get("/v1/topics/a%00b")
        assert nul.status_code == 404
        assert nul.headers["x-ratelimit-remaining"] == "2"
        wrong_method = await client.delete("/v1/articles")
        assert wrong_method.status_code == 405
        assert "GET" in wrong_method.headers["allow"]
        assert wrong_method.headers["x-ratelimit-remaining"] == "1"
        assert (await client.get("/v1/articles")).headers["x-ratelimit-remaining"] == "0"
        assert_too_many_requests(await client.get("/v1/no-such-thing"))
        assert_too_many_requests(await client.get("/v1/topics/a%00b"))
        assert_too_many_requests(await client.delete("/v1/articles"))

        # A signed-in reader's misses count against their own limit, each once: a 404 that
        # a route answers (a well-formed id of no article) was counted by the route already.
        unknown_article = "/v1/articles/" + "0" * 32
        for path, status, remaining in (
            (unknown_article, 404, "2"),
            ("/v1/no-such-thing", 404, "1"),
            (unknown_article, 404, "0"),
        ):
            response = await client.get(path, headers=reader.headers)
            assert response.status_code == status, response.text
            assert response.headers["x-ratelimit-limit"] == "3"
            assert response.headers["x-ratelimit-remaining"] == remaining
        assert_too_many_requests(await client.put("/v1/me/feed", headers=reader.headers))


async def test_unreachable_redis_still_serves_and_limits_in_process(
    build_app: AppFactory, session: AsyncSession
) -> None:
    await factories.create_article(session, topics=[TOPIC])
    _, secret = await factories.create_api_key(session, rate_limit_per_minute=3)
    app = build_app(redis_url="redis://127.0.0.1:1/0")
    try:
        async with client_for(app) as client:
            for remaining in ("2", "1", "0"):
                response = await client.get(FEED, headers={"X-API-Key": secret})
                assert response.status_code == 200
                assert response.headers["x-ratelimit-remaining"] == remaining
                assert b"<rss" in response.content
            assert_too_many_requests(await client.get(FEED, headers={"X-API-Key": secret}))
    finally:
        await app.state.cache.close()


# --- Two API processes, one limit through Redis -----------------------------------------------


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def shared_redis() -> Iterator[redis.Redis]:
    connection = redis.Redis(*LOCAL_REDIS, db=SHARED_REDIS_DB, socket_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        connection.close()
        pytest.skip(f"no Redis answers at {LOCAL_REDIS[0]}:{LOCAL_REDIS[1]}: {error!r}")
    yield connection
    connection.close()


def run_cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=PROJECT_ROOT,
    )
    return result.stdout


def wait_until_healthy(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"server on port {port} exited: {log.read_text()[-2000:]}")
        with suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"server on port {port} not healthy in {STARTUP_TIMEOUT_SECONDS} s")


def test_two_processes_share_one_key_limit_through_redis(
    tmp_path: Path, shared_redis: redis.Redis
) -> None:
    database = tmp_path / "shared.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYNEWS_")}
    env["MYNEWS_DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    env["MYNEWS_REDIS_URL"] = f"redis://{LOCAL_REDIS[0]}:{LOCAL_REDIS[1]}/{SHARED_REDIS_DB}"
    run_cli(env, "migrate")
    run_cli(env, "import-feed", "tests/articles/fixtures/world.rss")
    output = run_cli(env, "create-api-key", "Partner", "--scope", "feeds:read", "--rate-limit", "6")
    secret = output.strip().splitlines()[-1]
    with closing(sqlite3.connect(database)) as db:
        [(key_id,)] = db.execute("SELECT id FROM api_keys").fetchall()

    ports = [free_port(), free_port()]
    servers: list[subprocess.Popen[bytes]] = []
    etags: set[str] = set()
    try:
        for port in ports:
            log = tmp_path / f"server-{port}.log"
            command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1"]
            with log.open("wb") as output_file:
                servers.append(
                    subprocess.Popen(  # noqa: S603
                        [*command, "--port", str(port)],
                        env=env,
                        cwd=PROJECT_ROOT,
                        stdout=output_file,
                        stderr=subprocess.STDOUT,
                    )
                )
        for server, port in zip(servers, ports, strict=True):
            wait_until_healthy(server, port, tmp_path / f"server-{port}.log")

        feed = "/v1/topics/china-russia-relations/feed.rss"
        headers = {"X-API-Key": secret}
        for request in range(6):
            port = ports[request % 2]
            response = httpx.get(f"http://127.0.0.1:{port}{feed}", headers=headers, timeout=10)
            assert response.status_code == 200, (request, response.text)
            assert response.headers["x-ratelimit-remaining"] == str(5 - request)
            etags.add(response.headers["etag"])
        for port in ports:
            response = httpx.get(f"http://127.0.0.1:{port}{feed}", headers=headers, timeout=10)
            assert_too_many_requests(response)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)
        # Only what this test wrote: its key's counters and its feeds' cached copies.
        ours = [*shared_redis.scan_iter(match=f"*{key_id}*")]
        ours += [f"mynews:feed:{etag.strip(chr(34))}" for etag in etags]
        if ours:
            shared_redis.delete(*ours)


async def test_event_batches_recorded_before_routing_count_against_the_reader(
    build_app: AppFactory, reader: factories.Account, session: AsyncSession
) -> None:
    article_id = await factories.create_article(session)
    app = build_app(rate_limit_user_per_minute=2)

    def routed() -> None:
        raise Forbidden("routed")

    # Recorded (and refused) before routing: a batch that reached the route would get a 403.
    app.dependency_overrides[current_user_id] = routed

    def batch(event_id: str) -> dict[str, object]:
        occurred = datetime.now(UTC).isoformat()
        return {"events": [{"id": event_id, "type": "open", "article_id": article_id,
                            "occurred_at": occurred}]}  # fmt: skip

    async with client_for(app) as client:
        for remaining, event_id in (("1", "a"), ("0", "b")):
            response = await client.post(
                "/v1/me/events", headers=reader.headers, json=batch(event_id)
            )
            assert response.status_code == 202, response.text
            assert response.headers["x-ratelimit-remaining"] == remaining
        assert_too_many_requests(
            await client.post("/v1/me/events", headers=reader.headers, json=batch("c"))
        )
    recorded = await session.scalars(
        select(ReadingEvent.client_event_id).where(ReadingEvent.user_id == reader.user.id)
    )
    assert sorted(recorded) == ["a", "b"]


async def test_feed_pages_answered_before_routing_count_against_the_reader(
    build_app: AppFactory, reader: factories.Account, session: AsyncSession
) -> None:
    for _ in range(3):
        await factories.create_article(session)
    app = build_app(rate_limit_user_per_minute=3)
    async with client_for(app) as client:
        first = await client.get("/v1/me/feed", headers=reader.headers, params={"limit": 1})
        assert first.headers["x-ratelimit-remaining"] == "2"
        cursor = first.json()["next_cursor"]

        def routed() -> None:
            raise Forbidden("routed")

        # Answered (and refused) before routing: a page that reached the route would get a 403.
        app.dependency_overrides[current_user_id] = routed
        following = {"cursor": cursor, "limit": 1}
        for remaining in ("1", "0"):
            response = await client.get("/v1/me/feed", headers=reader.headers, params=following)
            assert response.status_code == 200, response.text
            assert response.headers["x-ratelimit-remaining"] == remaining
        assert_too_many_requests(
            await client.get("/v1/me/feed", headers=reader.headers, params=following)
        )
