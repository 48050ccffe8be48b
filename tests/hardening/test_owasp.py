"""OWASP API Security Top 10 (2023) checks not covered by the feature tests.

Covered elsewhere: object-level authorization (tests/reader: bookmarks, history, cursors of
another reader), broken authentication (tests/auth/test_tokens.py), function-level
authorization (test_authorization_matrix.py), one reader's bounded effect on engagement
(tests/reader/test_events.py), hostile RSS/Atom on import (tests/articles/test_importer.py),
CORS (tests/syndication), limits on pages, bodies and batches (tests/articles, tests/ops).
"""

import json

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.main import create_app
from tests import factories


async def test_no_response_reveals_password_hashes_or_other_users_emails(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    admin: factories.Account,
    session: AsyncSession,
) -> None:
    article_id = await factories.create_article(session, topics=["Privacy"])
    await client.put("/v1/me/subscriptions/topics/privacy", headers=other_reader.headers)
    paths = [
        "/v1/me",
        "/v1/me/subscriptions",
        "/v1/me/feed",
        "/v1/me/interests",
        "/v1/articles",
        f"/v1/articles/{article_id}",
        "/v1/topics/privacy",
        "/v1/authors",
        "/v1/trending",
    ]
    for path in paths:
        body = (await client.get(path, headers=reader.headers)).text
        assert other_reader.user.email not in body, path
        assert "password" not in body.lower(), path
        assert "$argon2" not in body, path
    admin_view = await client.patch(
        f"/v1/admin/users/{reader.user.id}", headers=admin.headers, json={"role": "reader"}
    )
    assert "password" not in admin_view.text.lower()


@pytest.mark.parametrize(
    "payload",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"email": ' + b"{" * 50_000 + b"}" * 50_000 + b"}",
        b'{"email": "a@b.co", "password": 1e400}',
        b'{"email": "a@b.co", "password": ' + b"9" * 5000 + b"}",
        b'{"email": "a@b.co", "password": "\\ud800"}',
    ],
    ids=["deep-array", "deep-object", "huge-float", "huge-integer", "lone-surrogate"],
)
async def test_deep_or_huge_json_is_refused_cleanly(
    client: httpx.AsyncClient, payload: bytes
) -> None:
    response = await client.post(
        "/v1/auth/register", content=payload, headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"


async def test_huge_numbers_in_queries_are_refused_or_clamped(client: httpx.AsyncClient) -> None:
    for params in ({"hours": "9" * 400}, {"hours": "1e400"}, {"limit": "NaN"}):
        response = await client.get("/v1/trending", params=params)
        assert response.status_code == 422, params
    # A page size is any positive integer, clamped to 100 (however many digits it has).
    response = await client.get("/v1/trending", params={"limit": "9" * 400})
    assert response.status_code == 200
    assert len(response.json()["items"]) <= 100


# Paths of every kind of parameter (slugs, ids; those answered before routing too), each
# holding a NUL byte, as the role that may call them.
NUL_PATHS = [
    ("GET", "/v1/topics/a%00b", None),
    ("GET", "/v1/authors/a%00b", None),
    ("GET", "/v1/topics/a%00b/feed.rss", "feeds"),
    ("GET", "/v1/articles/a%00b", None),
    ("PUT", "/v1/me/subscriptions/topics/a%00b", "reader"),
    ("PUT", "/v1/me/bookmarks/a%00b", "reader"),
    ("DELETE", "/v1/me/hidden/a%00b", "reader"),
    ("PATCH", "/v1/topics/a%00b", "editor"),
    ("DELETE", "/v1/admin/api-keys/a%00b", "admin"),
]


@pytest.mark.parametrize(("method", "path", "role"), NUL_PATHS)
async def test_a_path_holding_a_nul_byte_names_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    method: str,
    path: str,
    role: str | None,
) -> None:
    headers: dict[str, str] = {}
    if role == "feeds":
        _, key = await factories.create_api_key(session)
        headers = {"X-API-Key": key}
    elif role is not None:
        headers = (await factories.create_account(session, settings, role=role)).headers
    body = {"name": "x"} if method == "PATCH" else None
    response = await client.request(method, path, headers=headers, json=body)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_every_response_forbids_sniffing_and_framing(client: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/v1/articles", "/v1/nope", "/openapi.json"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path


async def test_docs_exposure_is_a_setting(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"docs_enabled": False}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for path in ("/docs", "/openapi.json", "/redoc"):
            assert (await c.get(path)).status_code == 404, path


async def test_errors_never_carry_tracebacks(client: httpx.AsyncClient) -> None:
    responses = [
        await client.get("/v1/articles", params={"cursor": "x" * 500}),
        await client.post("/v1/auth/token", data={"username": "x"}),
        await client.get("/v1/me", headers={"Authorization": "Bearer " + "a." * 300}),
    ]
    for response in responses:
        assert "Traceback" not in response.text
        assert 'File "' not in response.text
        json.loads(response.text)


def test_every_served_route_is_documented() -> None:
    """Inventory: nothing is served that the OpenAPI document does not describe."""
    app = create_app()
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    served = {
        (method, (context.path_format or "").replace(":id}", "}"))
        for context in iter_route_contexts(app.routes)
        for method in context.methods or ()
        if method != "HEAD"
    }
    docs = {("GET", "/docs"), ("GET", "/openapi.json"), ("GET", "/docs/oauth2-redirect")}
    assert len(served) > 40
    assert served - documented - docs == set()
