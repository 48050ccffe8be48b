"""Who may call what: every operation in the OpenAPI document, as every kind of caller.

The access rule of each operation is listed here once; an operation the API serves but this
table does not name fails the test, so a new route cannot ship without a decision.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys import service as api_key_service
from app.auth.security import create_access_token
from app.config import Settings
from app.main import create_app
from app.models import Role, Scope, User
from tests import factories

# Who may call an operation:
PUBLIC = "public"  # anyone
USER = "user"  # any signed-in user (acting only on their own data)
EDITOR = "editor"  # editors and admins
ADMIN = "admin"
WRITER = "writer"  # editors, or API keys with articles:write
FEEDS = "feeds"  # API keys with feeds:read
KEY = "key"  # any API key

RULES = {
    "GET /healthz": PUBLIC,
    "GET /readyz": PUBLIC,
    "GET /metrics": PUBLIC,
    "POST /v1/auth/register": PUBLIC,
    "POST /v1/auth/token": PUBLIC,
    "POST /v1/auth/refresh": PUBLIC,
    "POST /v1/auth/logout": PUBLIC,
    "GET /v1/auth/key": KEY,
    "GET /v1/me": USER,
    "PATCH /v1/me": USER,
    "DELETE /v1/me": USER,
    "PATCH /v1/admin/users/{user_id}": ADMIN,
    "GET /v1/admin/api-keys": ADMIN,
    "POST /v1/admin/api-keys": ADMIN,
    "DELETE /v1/admin/api-keys/{key_id}": ADMIN,
    "GET /v1/articles": PUBLIC,
    "POST /v1/articles": WRITER,
    "POST /v1/articles/batch": WRITER,
    "GET /v1/articles/{article_id}": PUBLIC,
    "PATCH /v1/articles/{article_id}": EDITOR,
    "DELETE /v1/articles/{article_id}": EDITOR,
    "GET /v1/topics/{slug}/feed.rss": FEEDS,
    "GET /v1/topics/{slug}/feed.atom": FEEDS,
    "GET /v1/topics/{slug}/feed.json": FEEDS,
    "GET /v1/topics/{slug}/feed": FEEDS,
    "GET /v1/topics": PUBLIC,
    "POST /v1/topics": EDITOR,
    "GET /v1/topics/{slug}": PUBLIC,
    "PATCH /v1/topics/{slug}": EDITOR,
    "GET /v1/authors": PUBLIC,
    "GET /v1/authors/{slug}": PUBLIC,
    "GET /v1/me/subscriptions": USER,
    "PUT /v1/me/subscriptions/{kind}/{slug}": USER,
    "DELETE /v1/me/subscriptions/{kind}/{slug}": USER,
    "GET /v1/me/mutes": USER,
    "PUT /v1/me/mutes/{kind}/{slug}": USER,
    "DELETE /v1/me/mutes/{kind}/{slug}": USER,
    "GET /v1/me/bookmarks": USER,
    "PUT /v1/me/bookmarks/{article_id}": USER,
    "DELETE /v1/me/bookmarks/{article_id}": USER,
    "PUT /v1/me/hidden/{article_id}": USER,
    "DELETE /v1/me/hidden/{article_id}": USER,
    "POST /v1/me/events": USER,
    "GET /v1/me/history": USER,
    "GET /v1/me/feed": USER,
    "GET /v1/me/interests": USER,
    "GET /v1/trending": PUBLIC,
}

CALLERS = ["anonymous", "reader", "other_reader", "editor", "admin", "feeds_key", "writer_key"]
# Credentials no longer valid: refused (401) wherever they are sent, but where signing in,
# refreshing or the service's own probes take whatever a client sends.
STALE = ["expired_token", "revoked_key"]
STALE_IGNORED = {
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "POST /v1/auth/register",
    "POST /v1/auth/token",
    "POST /v1/auth/refresh",
    "POST /v1/auth/logout",
}
ALLOWED = {
    PUBLIC: set(CALLERS),
    USER: {"reader", "other_reader", "editor", "admin"},
    EDITOR: {"editor", "admin"},
    ADMIN: {"admin"},
    WRITER: {"editor", "admin", "writer_key"},
    FEEDS: {"feeds_key"},
    KEY: {"feeds_key", "writer_key"},
}


def documented_operations() -> list[str]:
    document = create_app().openapi()
    return [f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops]


def expected_refusal(rule: str, caller: str, operation: str = "") -> int | None:
    """None when the caller may call; else 401 (not identified as needed) or 403."""
    if caller in STALE:
        return None if operation in STALE_IGNORED else 401
    if caller in ALLOWED[rule]:
        return None
    is_user = caller not in {"anonymous", "feeds_key", "writer_key"}
    if rule in {USER, EDITOR, ADMIN}:
        return 403 if is_user else 401
    if rule == WRITER:
        return 403 if caller in {"reader", "other_reader", "feeds_key"} else 401
    if rule == FEEDS:
        return 403 if caller == "writer_key" else 401
    return 401  # KEY: users and anonymous callers present no key


def test_every_served_operation_has_a_rule() -> None:
    served = set(documented_operations())
    assert served - set(RULES) == set(), "operations without an access rule"
    assert set(RULES) - served == set(), "rules for operations that no longer exist"


@dataclass
class Callers:
    headers: dict[str, dict[str, str]]
    values: dict[str, str]


@pytest.fixture
async def callers(session: AsyncSession, settings: Settings) -> Callers:
    now = datetime.now(UTC)
    password_hash = (await factories.create_user(session)).password_hash
    users = {}
    for name, role in (
        ("reader", Role.READER),
        ("other_reader", Role.READER),
        ("editor", Role.EDITOR),
        ("admin", Role.ADMIN),
    ):
        user = User(email=f"{name}@matrix.example", password_hash=password_hash, role=role)
        session.add(user)
        users[name] = user
    await session.flush()
    headers = {
        name: {"Authorization": f"Bearer {create_access_token(settings, user.id, now)}"}
        for name, user in users.items()
    }
    headers["anonymous"] = {}
    _, feeds = await factories.create_api_key(session, scopes=(Scope.FEEDS_READ,))
    _, writer = await factories.create_api_key(session, scopes=(Scope.ARTICLES_WRITE,))
    key, _ = await factories.create_api_key(session, name="Doomed")
    headers["feeds_key"] = {"X-API-Key": feeds}
    headers["writer_key"] = {"X-API-Key": writer}
    expired = create_access_token(settings, users["reader"].id, now - timedelta(days=1))
    headers["expired_token"] = {"Authorization": f"Bearer {expired}"}
    revoked, revoked_secret = await factories.create_api_key(session, name="Revoked")
    await api_key_service.revoke_key(session, revoked.id)
    headers["revoked_key"] = {"X-API-Key": revoked_secret}
    article_id = await factories.create_article(session, topics=["Matrix"], authors=["Neo"])
    values = {
        "user_id": users["other_reader"].id,
        "key_id": key.id,
        "article_id": article_id,
        "slug": "matrix",
        "kind": "topics",
    }
    return Callers(headers, values)


@pytest.mark.parametrize("operation", sorted(RULES))
async def test_access(app: FastAPI, callers: Callers, operation: str) -> None:
    method, template = operation.split(" ")
    path = template.format(**callers.values)
    body: Any = {} if method in {"POST", "PUT", "PATCH"} else None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for caller in CALLERS + STALE:
            response = await client.request(
                method, path, headers=callers.headers[caller], json=body
            )
            refusal = expected_refusal(RULES[operation], caller, operation)
            if refusal is None:
                assert response.status_code not in {401, 403}, (caller, response.text)
                assert response.status_code < 500, (caller, response.text)
            else:
                assert response.status_code == refusal, (caller, response.text)
                if refusal == 401:
                    assert "www-authenticate" in response.headers
