"""Follows and mutes of topics and authors."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import current_time
from tests import factories


@pytest.fixture
async def labels(session: AsyncSession) -> None:
    await factories.create_article(
        session, topics=["China-Russia relations", "Diplomacy"], authors=["Jane Reporter"]
    )


async def follower_count(client: httpx.AsyncClient, path: str) -> int:
    count: int = (await client.get(path)).json()["follower_count"]
    return count


@pytest.mark.usefixtures("labels")
async def test_follow_is_idempotent_and_counted(
    client: httpx.AsyncClient, reader: factories.Account
) -> None:
    for _ in range(2):
        response = await client.put(
            "/v1/me/subscriptions/topics/china-russia-relations", headers=reader.headers
        )
        assert response.status_code == 204
    await client.put("/v1/me/subscriptions/authors/jane-reporter", headers=reader.headers)
    subscriptions = await client.get("/v1/me/subscriptions", headers=reader.headers)
    assert subscriptions.headers["cache-control"] == "private, no-store"
    assert subscriptions.json() == {
        "topics": [{"slug": "china-russia-relations", "name": "China-Russia relations"}],
        "authors": [{"slug": "jane-reporter", "name": "Jane Reporter"}],
    }
    assert await follower_count(client, "/v1/topics/china-russia-relations") == 1
    assert await follower_count(client, "/v1/authors/jane-reporter") == 1

    for _ in range(2):
        response = await client.delete(
            "/v1/me/subscriptions/topics/china-russia-relations", headers=reader.headers
        )
        assert response.status_code == 204
    assert (await client.get("/v1/me/subscriptions", headers=reader.headers)).json()["topics"] == []
    assert await follower_count(client, "/v1/topics/china-russia-relations") == 0


@pytest.mark.usefixtures("labels")
async def test_unknown_slug_or_kind_is_404(
    client: httpx.AsyncClient, reader: factories.Account
) -> None:
    for method in ("PUT", "DELETE"):
        for path in (
            "subscriptions/topics/nope",
            "subscriptions/authors/nope",
            "mutes/topics/nope",
        ):
            response = await client.request(method, f"/v1/me/{path}", headers=reader.headers)
            assert response.status_code == 404, (method, path)
    response = await client.put("/v1/me/subscriptions/planets/mars", headers=reader.headers)
    assert response.status_code in (404, 422)


@pytest.mark.usefixtures("labels")
async def test_follows_need_a_signed_in_reader(client: httpx.AsyncClient) -> None:
    assert (await client.put("/v1/me/subscriptions/topics/diplomacy")).status_code == 401
    assert (await client.get("/v1/me/subscriptions")).status_code == 401


@pytest.mark.usefixtures("labels")
async def test_readers_follows_are_their_own(
    client: httpx.AsyncClient, reader: factories.Account, other_reader: factories.Account
) -> None:
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    theirs = (await client.get("/v1/me/subscriptions", headers=other_reader.headers)).json()
    assert theirs == {"topics": [], "authors": []}
    await client.delete("/v1/me/subscriptions/topics/diplomacy", headers=other_reader.headers)
    assert await follower_count(client, "/v1/topics/diplomacy") == 1


@pytest.mark.usefixtures("labels")
async def test_mute_and_snooze_that_ends_by_itself(
    client: httpx.AsyncClient, reader: factories.Account, app: FastAPI
) -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    app.dependency_overrides[current_time] = lambda: now
    forever = await client.put("/v1/me/mutes/topics/diplomacy", headers=reader.headers)
    assert forever.status_code == 204
    until = (now + timedelta(hours=2)).isoformat()
    snooze = await client.put(
        "/v1/me/mutes/authors/jane-reporter", headers=reader.headers, json={"until": until}
    )
    assert snooze.status_code == 204
    mutes = (await client.get("/v1/me/mutes", headers=reader.headers)).json()
    assert [m["slug"] for m in mutes["topics"]] == ["diplomacy"]
    assert mutes["topics"][0]["until"] is None
    assert [m["slug"] for m in mutes["authors"]] == ["jane-reporter"]

    now = now + timedelta(hours=3)
    mutes = (await client.get("/v1/me/mutes", headers=reader.headers)).json()
    assert mutes["authors"] == []
    assert [m["slug"] for m in mutes["topics"]] == ["diplomacy"]

    assert (
        await client.delete("/v1/me/mutes/topics/diplomacy", headers=reader.headers)
    ).status_code == 204
    assert (
        await client.delete("/v1/me/mutes/topics/diplomacy", headers=reader.headers)
    ).status_code == 204
    assert (await client.get("/v1/me/mutes", headers=reader.headers)).json()["topics"] == []


@pytest.mark.usefixtures("labels")
async def test_mute_until_must_be_future_and_well_formed(
    client: httpx.AsyncClient, reader: factories.Account
) -> None:
    for body in (
        {"until": "2000-01-01T00:00:00Z"},
        {"until": "tomorrow"},
        {"until": "2030-01-01T00:00:00"},
        # The last moment of year 9999, which PostgreSQL's driver would store as infinity.
        {"until": "9999-12-31T23:59:59.999999Z"},
        {"user_id": "x"},
    ):
        response = await client.put(
            "/v1/me/mutes/topics/diplomacy", headers=reader.headers, json=body
        )
        assert response.status_code == 422, body
    assert (await client.get("/v1/me/mutes", headers=reader.headers)).json()["topics"] == []
