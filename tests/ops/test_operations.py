"""Health, readiness, metrics, and the problem+json contract for protocol errors."""

import gc
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.main import create_app
from tests import factories

UNREACHABLE_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:9/nowhere"


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_needs_no_database(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"database_url": UNREACHABLE_DATABASE}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.get("/healthz")).status_code == 200


async def test_readyz_ok_when_database_answers(client: httpx.AsyncClient) -> None:
    assert (await client.get("/readyz")).status_code == 200


async def test_readyz_503_with_retry_after_when_database_unreachable(settings: Settings) -> None:
    app = create_app(
        settings.model_copy(
            update={"database_url": UNREACHABLE_DATABASE, "db_connect_timeout_seconds": 2}
        )
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/readyz")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) > 0
        assert "Traceback" not in response.text
        # Any endpoint touching the database degrades the same way, never to a 500.
        login = await c.post("/v1/auth/token", data={"username": "a@b.co", "password": "x" * 8})
        assert login.status_code == 503
    await app.state.database.engine.dispose()


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.get("/v1/admin/api-keys/some-id-123")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'mynews_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert "mynews_http_request_duration_seconds_bucket" in text
    assert "some-id-123" not in text


async def test_unknown_route_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()) >= {"type", "title", "status", "detail"}


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/healthz")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json()["status"] == 405


async def test_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    body = b'{"email": "' + b"a" * (1024 * 1024) + b'"}'
    response = await client.post(
        "/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


# Events are read before routing (app.fast_path); registration by its route.
@pytest.mark.parametrize("path", ["/v1/auth/register", "/v1/me/events"])
async def test_streamed_body_over_limit_is_413(client: httpx.AsyncClient, path: str) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * (64 * 1024)

    response = await client.post(
        path, content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    # The same problem as a body declared too large gets.
    assert response.json()["type"].endswith("/payload-too-large")


async def test_malformed_json_is_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "{not json" not in response.text


async def test_docs_and_openapi_served(client: httpx.AsyncClient, app: FastAPI) -> None:
    assert (await client.get("/docs")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/auth/token" in spec["paths"]


async def test_405_allows_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/me")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, HEAD, PATCH"
    batch = await client.head("/v1/articles/batch")
    assert batch.status_code == 405
    assert batch.headers["allow"] == "POST"


async def test_head_is_get_without_the_body(
    client: httpx.AsyncClient, session: AsyncSession, reader: factories.Account
) -> None:
    article_id = await factories.create_article(session, topics=["Energy"])
    _, secret = await factories.create_api_key(session)
    for path, headers in (
        ("/healthz", {}),
        (f"/v1/articles/{article_id}", {}),
        ("/v1/articles?topic=energy", {"Accept-Encoding": "gzip"}),
        ("/v1/topics/energy/feed.rss", {"X-API-Key": secret, "Accept-Encoding": "gzip"}),
        ("/v1/me/feed", reader.headers),
        ("/v1/me", {}),
    ):
        # Twice: the second GET and HEAD may be answered before routing.
        for _ in range(2):
            got = await client.get(path, headers=headers)
            head = await client.head(path, headers=headers)
            assert head.status_code == got.status_code, path
            assert head.content == b"", path
            differ = {"date", "ratelimit", "x-ratelimit-remaining", "x-ratelimit-reset"}
            assert {k: v for k, v in head.headers.items() if k not in differ} == {
                k: v for k, v in got.headers.items() if k not in differ
            }, path


@pytest.fixture
def collector() -> Iterator[None]:
    """Python's collector settings, put back after the test."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("collector")
async def test_a_started_worker_freezes_what_startup_made_and_collects_less_often(
    settings: Settings,
) -> None:
    gc.unfreeze()
    made_at_startup = type("MadeAtStartup", (), {})()
    app = create_app(settings.model_copy(update={"gc_young_threshold": 12_345}))
    async with app.router.lifespan_context(app):
        assert gc.get_threshold()[0] == 12_345
        assert gc.get_freeze_count() > 0
        # Frozen: no collection looks at it again.
        assert not any(o is made_at_startup for o in gc.get_objects())


@pytest.mark.usefixtures("collector")
async def test_a_young_threshold_of_zero_leaves_the_threshold_as_it_is(settings: Settings) -> None:
    before = gc.get_threshold()
    app = create_app(settings.model_copy(update={"gc_young_threshold": 0}))
    async with app.router.lifespan_context(app):
        assert gc.get_threshold() == before
