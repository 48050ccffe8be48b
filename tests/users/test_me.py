"""The signed-in user's own account."""

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import RefreshToken, User
from tests import factories


async def test_me_shows_own_account(client: httpx.AsyncClient, reader: factories.Account) -> None:
    response = await client.get("/v1/me", headers=reader.headers)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    body = response.json()
    assert body["id"] == reader.user.id
    assert body["email"] == reader.user.email
    assert "password_hash" not in body
    assert "password" not in response.text


async def test_patch_me_changes_profile(
    client: httpx.AsyncClient, reader: factories.Account
) -> None:
    response = await client.patch(
        "/v1/me",
        headers=reader.headers,
        json={"display_name": "Reader One", "language": "en-GB", "region": "GB"},
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Reader One"
    again = (await client.get("/v1/me", headers=reader.headers)).json()
    assert (again["language"], again["region"]) == ("en-GB", "GB")


async def test_patch_me_leaves_unsent_fields_and_clears_null_ones(
    client: httpx.AsyncClient, reader: factories.Account
) -> None:
    await client.patch("/v1/me", headers=reader.headers, json={"language": "fr", "region": "FR"})
    response = await client.patch("/v1/me", headers=reader.headers, json={"region": None})
    assert response.json()["language"] == "fr"
    assert response.json()["region"] is None


async def test_patch_me_with_role_or_unknown_field_is_422_and_changes_nothing(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    for body in (
        {"role": "admin"},
        {"display_name": "Sneaky", "role": "admin"},
        {"email": "new@example.com"},
        {"display_name": "Sneaky", "password_hash": "x"},
    ):
        response = await client.patch("/v1/me", headers=reader.headers, json=body)
        assert response.status_code == 422, body
    stored = (
        await session.execute(
            select(User).where(User.id == reader.user.id).execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert stored.role == "reader"
    assert stored.display_name == "Test User"
    assert stored.email == reader.user.email


async def test_patch_me_validates_values(
    client: httpx.AsyncClient, reader: factories.Account
) -> None:
    for body in (
        {"language": "english please"},
        {"language": "en" + "-abcdefgh" * 4},  # longer than a stored tag
        {"region": "gbr"},
        {"display_name": ""},
        {"display_name": "a\x00b"},
        {"display_name": "\x0cAna"},
        {"display_name": "x" * 101},
    ):
        response = await client.patch("/v1/me", headers=reader.headers, json=body)
        assert response.status_code == 422, body


async def test_delete_me_removes_account_and_tokens(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    login = await client.post(
        "/v1/auth/token", data={"username": reader.user.email, "password": reader.password}
    )
    refresh_token = login.json()["refresh_token"]
    response = await client.delete("/v1/me", headers=reader.headers)
    assert response.status_code == 204
    assert (await client.get("/v1/me", headers=reader.headers)).status_code == 401
    refused = await client.post("/v1/auth/refresh", json={"refresh_token": refresh_token})
    assert refused.status_code == 401
    tokens = await session.scalar(
        select(func.count()).select_from(RefreshToken).where(RefreshToken.user_id == reader.user.id)
    )
    assert tokens == 0
    relogin = await client.post(
        "/v1/auth/token", data={"username": reader.user.email, "password": reader.password}
    )
    assert relogin.status_code == 401
