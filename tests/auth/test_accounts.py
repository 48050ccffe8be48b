"""Registration, login, refresh rotation with reuse detection, and logout."""

from datetime import UTC, datetime

import httpx
import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.logins import EndedLogins
from app.auth.security import decode_access_token
from app.config import Settings
from app.db import new_id
from app.models import RefreshToken, User
from tests import factories

PASSWORD = "s3cret-enough-password"


async def register(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post("/v1/auth/register", json={"email": email, "password": password})


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


async def test_register_returns_reader_without_secrets(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register",
        json={"email": "Ana@Example.com", "password": PASSWORD, "display_name": "Ana"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "display_name", "role", "created_at"}
    assert body["email"] == "ana@example.com"
    assert body["role"] == "reader"
    assert body["display_name"] == "Ana"
    assert body["created_at"].endswith("Z")
    assert PASSWORD not in response.text


async def test_register_duplicate_email_in_any_case_is_409(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert (await register(client, "dup@example.com")).status_code == 201
    response = await register(client, "DUP@example.COM")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    count = await session.scalar(select(func.count()).select_from(User))
    assert count == 1


async def test_register_rejects_short_password_and_bad_email_without_echo(
    client: httpx.AsyncClient,
) -> None:
    response = await register(client, "x@example.com", password="short7!")
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "body.password"
    assert "short7!" not in response.text
    response = await register(client, "not-an-email")
    assert response.status_code == 422
    assert "not-an-email" not in response.text


async def test_register_rejects_unknown_fields_such_as_role(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post(
        "/v1/auth/register", json={"email": "m@example.com", "password": PASSWORD, "role": "admin"}
    )
    assert response.status_code == 422
    assert {"field": "body.role", "message": "Extra inputs are not permitted"} in response.json()[
        "errors"
    ]
    assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_login_gives_token_pair_that_authenticates(client: httpx.AsyncClient) -> None:
    await register(client, "login@example.com")
    response = await login(client, "LOGIN@example.com")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    pair = response.json()
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] > 0
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "login@example.com"


async def test_wrong_password_and_unknown_email_answer_alike(client: httpx.AsyncClient) -> None:
    await register(client, "alike@example.com")
    wrong_password = await login(client, "alike@example.com", "not-the-password")
    unknown_email = await login(client, "nobody@example.com", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.headers["www-authenticate"].startswith("Bearer")


async def test_login_422_for_missing_field_does_not_echo_password(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/auth/token", data={"password": "hunter2-very-secret"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body.username", "message": "Field required"}]
    assert "hunter2-very-secret" not in response.text


async def test_refresh_rotates_and_spent_token_is_refused(client: httpx.AsyncClient) -> None:
    await register(client, "rotate@example.com")
    first = (await login(client, "rotate@example.com")).json()
    second = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    again = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 401
    assert "www-authenticate" in again.headers


def bearer(pair: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def still_signed_in(client: httpx.AsyncClient, pair: dict[str, str]) -> list[bool]:
    """Whether the pair's access token is accepted by a route, and before routing (a batch of
    events in order: one event, of an article that does not exist, is one rejected)."""
    me = await client.get("/v1/me", headers=bearer(pair))
    event = {
        "id": new_id(),
        "type": "open",
        "article_id": new_id(),
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    events = await client.post("/v1/me/events", headers=bearer(pair), json={"events": [event]})
    return [me.status_code == 200, events.status_code == 202]


async def test_reusing_spent_refresh_token_revokes_its_descendants(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await register(client, "reuse@example.com")
    first = (await login(client, "reuse@example.com")).json()
    original = first["refresh_token"]
    child = (await client.post("/v1/auth/refresh", json={"refresh_token": original})).json()
    grandchild = (
        await client.post("/v1/auth/refresh", json={"refresh_token": child["refresh_token"]})
    ).json()
    # A separate login is a separate family and must survive.
    other = (await login(client, "reuse@example.com")).json()
    assert await still_signed_in(client, grandchild) == [True, True]

    reuse = await client.post("/v1/auth/refresh", json={"refresh_token": original})
    assert reuse.status_code == 401

    refused = await client.post(
        "/v1/auth/refresh", json={"refresh_token": grandchild["refresh_token"]}
    )
    assert refused.status_code == 401
    # The login's access tokens go with its refresh tokens, whichever rotation issued them.
    for pair in (first, child, grandchild):
        assert await still_signed_in(client, pair) == [False, False]
    assert await still_signed_in(client, other) == [True, True]
    survivor = await client.post("/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert survivor.status_code == 200
    revoked = await session.scalar(
        select(func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_not(None))
    )
    assert revoked == 3


async def test_unknown_refresh_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/refresh", json={"refresh_token": "rt_made-up"})
    assert response.status_code == 401
    assert "rt_made-up" not in response.text


async def test_logout_ends_the_refresh_token_and_its_access_tokens(
    client: httpx.AsyncClient,
) -> None:
    await register(client, "bye@example.com")
    pair = (await login(client, "bye@example.com")).json()
    elsewhere = (await login(client, "bye@example.com")).json()
    response = await client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 204
    refused = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refused.status_code == 401
    assert await still_signed_in(client, pair) == [False, False]
    assert await still_signed_in(client, elsewhere) == [True, True]


async def test_another_worker_refuses_an_ended_login_once_it_reads_it(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await register(client, "elsewhere@example.com")
    pair = (await login(client, "elsewhere@example.com")).json()
    other_worker = EndedLogins(keep_seconds=60)
    await other_worker.read(session)
    assert decode_access_token(settings, pair["access_token"], ended=other_worker)

    await client.post("/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    await other_worker.read(session)

    with pytest.raises(jwt.InvalidTokenError):
        decode_access_token(settings, pair["access_token"], ended=other_worker)


def test_an_ended_login_is_refused_for_as_long_as_its_tokens_live() -> None:
    moment = [1000.0]
    ended = EndedLogins(keep_seconds=60, clock=lambda: moment[0])
    ended.end("login-1")
    moment[0] += 59
    assert "login-1" in ended
    moment[0] += 2
    assert "login-1" not in ended
    assert "login-2" not in ended


async def test_refresh_and_logout_refuse_a_token_with_a_nul_byte(
    client: httpx.AsyncClient,
) -> None:
    await register(client, "nul@example.com")
    token = (await login(client, "nul@example.com")).json()["refresh_token"]
    for path in ("/v1/auth/refresh", "/v1/auth/logout"):
        response = await client.post(path, json={"refresh_token": token + "\x00"})
        assert response.status_code == 422, path
        assert [e["field"] for e in response.json()["errors"]] == ["body.refresh_token"]
        assert token not in response.text
    assert (await client.post("/v1/auth/refresh", json={"refresh_token": token})).status_code == 200


async def test_factory_account_can_log_in(
    client: httpx.AsyncClient, reader: factories.Account
) -> None:
    response = await login(client, reader.user.email, reader.password)
    assert response.status_code == 200
