"""Admins change roles; nobody else can."""

import httpx

from tests import factories


async def test_non_admin_cannot_change_roles(
    client: httpx.AsyncClient, non_admin: factories.Account, other_reader: factories.Account
) -> None:
    account = non_admin
    response = await client.patch(
        f"/v1/admin/users/{other_reader.user.id}", headers=account.headers, json={"role": "admin"}
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    me = await client.get("/v1/me", headers=other_reader.headers)
    assert me.json()["role"] == "reader"


async def test_admin_promotes_reader_to_editor(
    client: httpx.AsyncClient, admin: factories.Account, reader: factories.Account
) -> None:
    response = await client.patch(
        f"/v1/admin/users/{reader.user.id}", headers=admin.headers, json={"role": "editor"}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "editor"
    # The reader's existing token carries the new role at once: roles are read per request.
    assert (await client.get("/v1/me", headers=reader.headers)).json()["role"] == "editor"


async def test_admin_role_change_validates(
    client: httpx.AsyncClient, admin: factories.Account, reader: factories.Account
) -> None:
    bad_role = await client.patch(
        f"/v1/admin/users/{reader.user.id}", headers=admin.headers, json={"role": "owner"}
    )
    assert bad_role.status_code == 422
    unknown_user = await client.patch(
        "/v1/admin/users/nobody", headers=admin.headers, json={"role": "editor"}
    )
    assert unknown_user.status_code == 404


async def test_anonymous_admin_call_is_401(client: httpx.AsyncClient) -> None:
    response = await client.patch("/v1/admin/users/x", json={"role": "admin"})
    assert response.status_code == 401
