"""API keys: issued by admins, shown once, stored hashed, scoped and revocable."""

import time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models import ApiKey
from tests import factories


async def create_key(
    client: httpx.AsyncClient, admin: factories.Account, **body: object
) -> httpx.Response:
    payload = {"name": "Partner", "scopes": ["feeds:read"], **body}
    return await client.post("/v1/admin/api-keys", headers=admin.headers, json=payload)


async def test_admin_creates_key_shown_once_and_stored_hashed(
    client: httpx.AsyncClient, admin: factories.Account, session: AsyncSession
) -> None:
    response = await create_key(
        client, admin, scopes=["feeds:read", "articles:write"], rate_limit_per_minute=120
    )
    assert response.status_code == 201
    created = response.json()
    assert {"id", "name", "scopes", "rate_limit_per_minute", "key", "created_at"} <= set(created)
    assert created["rate_limit_per_minute"] == 120
    assert sorted(created["scopes"]) == ["articles:write", "feeds:read"]

    listing = await client.get("/v1/admin/api-keys", headers=admin.headers)
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["items"]] == [created["id"]]
    assert created["key"] not in listing.text
    assert "key" not in listing.json()["items"][0]

    stored = (await session.scalars(select(ApiKey))).one()
    assert created["key"] not in (stored.key_hash, stored.prefix)


async def test_keys_are_listed_a_page_at_a_time_oldest_first(
    client: httpx.AsyncClient, admin: factories.Account, session: AsyncSession, settings: Settings
) -> None:
    created = [(await create_key(client, admin, name=f"P{n}")).json()["id"] for n in range(5)]
    listed: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    for _ in range(len(created)):
        page = (await client.get("/v1/admin/api-keys", headers=admin.headers, params=params)).json()
        assert len(page["items"]) <= 2
        listed += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": page["next_cursor"]}
    assert (listed, page["next_cursor"]) == (created, None)

    # A cursor is the admin's own, and must be one this list issued.
    first = await client.get("/v1/admin/api-keys", headers=admin.headers, params={"limit": 2})
    cursor = first.json()["next_cursor"]
    other_admin = await factories.create_account(session, settings, role="admin")
    for account, sent in ((other_admin, cursor), (admin, factories.tampered(cursor))):
        refused = await client.get(
            "/v1/admin/api-keys", headers=account.headers, params={"cursor": sent}
        )
        assert refused.status_code == 400


async def test_key_authenticates_until_revoked(
    client: httpx.AsyncClient, admin: factories.Account
) -> None:
    created = (await create_key(client, admin)).json()
    whoami = await client.get("/v1/auth/key", headers={"X-API-Key": created["key"]})
    assert whoami.status_code == 200
    assert whoami.json()["name"] == "Partner"
    assert whoami.json()["scopes"] == ["feeds:read"]

    revoke = await client.delete(f"/v1/admin/api-keys/{created['id']}", headers=admin.headers)
    assert revoke.status_code == 204
    refused = await client.get("/v1/auth/key", headers={"X-API-Key": created["key"]})
    assert refused.status_code == 401
    assert "www-authenticate" in refused.headers
    assert (await client.get("/v1/admin/api-keys", headers=admin.headers)).json()["items"] == []
    again = await client.delete(f"/v1/admin/api-keys/{created['id']}", headers=admin.headers)
    assert again.status_code == 404


async def test_missing_or_unknown_key_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/auth/key")).status_code == 401
    response = await client.get("/v1/auth/key", headers={"X-API-Key": "mnk_made-up"})
    assert response.status_code == 401
    assert "mnk_made-up" not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {"scopes": []},
        {"scopes": ["everything"]},
        {"name": ""},
        {"rate_limit_per_minute": 0},
        {"rate_limit_per_minute": True},
        {"rate_limit_per_minute": "60"},
        {"key": "chosen-by-client"},
    ],
)
async def test_invalid_key_requests_are_422(
    client: httpx.AsyncClient, admin: factories.Account, body: dict[str, object]
) -> None:
    response = await create_key(client, admin, **body)
    assert response.status_code == 422
    assert (await client.get("/v1/admin/api-keys", headers=admin.headers)).json()["items"] == []


async def test_only_admins_manage_keys(
    client: httpx.AsyncClient, non_admin: factories.Account
) -> None:
    account = non_admin
    assert (await create_key(client, account)).status_code == 403
    assert (await client.get("/v1/admin/api-keys", headers=account.headers)).status_code == 403
    deleted = await client.delete("/v1/admin/api-keys/anything", headers=account.headers)
    assert deleted.status_code == 403


async def test_an_api_key_is_not_a_user(client: httpx.AsyncClient, session: AsyncSession) -> None:
    _, secret = await factories.create_api_key(session)
    response = await client.get("/v1/admin/api-keys", headers={"X-API-Key": secret})
    assert response.status_code == 401


async def test_each_worker_checks_a_key_once_per_interval_and_forgets_it_on_revocation(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: factories.Account,
    settings: Settings,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    executed: list[str],
) -> None:
    created = (await create_key(client, admin)).json()
    partner = {"X-API-Key": created["key"]}
    executed.clear()
    for _ in range(3):
        assert (await client.get("/v1/auth/key", headers=partner)).status_code == 200
    assert len([s for s in executed if "FROM api_keys" in s]) == 1

    # A second worker of the same deployment has verified the key too. It does not listen
    # for announced revocations (tests/api_keys/test_revocations.py covers those): like a
    # worker on SQLite, or one whose listening connection is down, it relies on the interval.
    other_app = create_app(settings)
    other_app.state.database = Database(engine, sessionmaker)
    transport = httpx.ASGITransport(app=other_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        assert (await other.get("/v1/auth/key", headers=partner)).status_code == 200
        revoke = await client.delete(f"/v1/admin/api-keys/{created['id']}", headers=admin.headers)
        assert revoke.status_code == 204
        # The revoking worker refuses the key at once; the other one once its interval ends.
        assert (await client.get("/v1/auth/key", headers=partner)).status_code == 401
        assert (await other.get("/v1/auth/key", headers=partner)).status_code == 200
        other_app.state.verified_keys.expire(time.monotonic() + settings.api_key_cache_seconds)
        assert (await other.get("/v1/auth/key", headers=partner)).status_code == 401
