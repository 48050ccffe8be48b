"""Next pages of the ranked feed answered before routing (``app.fast_path``): the route's page
and the route's problems, byte for byte; anything else goes to the route."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from itsdangerous import TimestampSigner
from sqlalchemy.ext.asyncio import AsyncSession

from app import fast_path
from app.auth.security import create_access_token
from app.clock import current_time
from app.config import Settings
from app.feed import router as feed_router
from app.pagination import CURSOR_MAX_LENGTH
from tests import factories
from tests.routing import refuse_routing, route_again

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    # A cursor carries the second it was signed in: pages compared byte for byte must not
    # be made either side of a second's turn.
    signed_at = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _: signed_at)


async def not_before_routing(request: object) -> None:
    """In place of ``fast_path._next_feed_page``: every page goes to the route."""
    return None


async def first_cursor(
    client: httpx.AsyncClient, session: AsyncSession, reader: factories.Account, stories: int = 7
) -> str:
    for n in range(stories):
        published = (NOW - timedelta(hours=n + 1)).isoformat()
        await factories.create_article(session, topics=["Diplomacy"], published_at=published)
    await client.put("/v1/me/subscriptions/topics/diplomacy", headers=reader.headers)
    first = await client.get("/v1/me/feed", headers=reader.headers, params={"limit": 2})
    assert first.status_code == 200, first.text
    return str(first.json()["next_cursor"])


async def get(
    client: httpx.AsyncClient, reader: factories.Account, **params: Any
) -> httpx.Response:
    return await client.get("/v1/me/feed", headers=reader.headers, params=params)


def same_answer(early: httpx.Response, routed: httpx.Response) -> None:
    assert early.status_code == routed.status_code, early.text
    assert early.content == routed.content
    for header in ("content-type", "www-authenticate", "content-encoding", "cache-control"):
        assert early.headers.get(header) == routed.headers.get(header), header


async def test_a_next_page_before_routing_is_the_route_s_page(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cursor = await first_cursor(client, session, reader)
    asked: list[dict[str, Any]] = [
        {"cursor": cursor},
        {"cursor": cursor, "limit": 2},
        {"cursor": cursor, "limit": 500},
    ]
    with monkeypatch.context() as routed_only:
        routed_only.setattr(fast_path, "_next_feed_page", not_before_routing)
        routed = [await get(client, reader, **params) for params in asked]
    refuse_routing(app)
    early = [await get(client, reader, **params) for params in asked]
    for before, after in zip(early, routed, strict=True):
        assert after.status_code == 200, after.text
        same_answer(before, after)
    # Pages of the same ranking: two after the first two, then the other five.
    assert len(early[1].json()["items"]) == 2
    assert len(early[2].json()["items"]) == 5
    # Its cursor leads on, before routing too.
    following = await get(client, reader, cursor=early[1].json()["next_cursor"], limit=2)
    assert following.status_code == 200
    assert len(following.json()["items"]) == 2


async def test_its_problems_are_the_route_s(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cursor = await first_cursor(client, session, reader)
    later = NOW + timedelta(hours=2)

    async def answers() -> list[httpx.Response]:
        answered = [
            await get(client, reader, cursor=factories.tampered(cursor)),
            await get(client, reader, cursor="nonsense"),
            await get(client, reader, cursor=""),
            await get(client, other_reader, cursor=cursor),
        ]
        app.dependency_overrides[current_time] = lambda: later  # the feed has expired
        answered.append(await get(client, reader, cursor=cursor))
        app.dependency_overrides[current_time] = lambda: NOW
        return answered

    with monkeypatch.context() as routed_only:
        routed_only.setattr(fast_path, "_next_feed_page", not_before_routing)
        routed = await answers()
    assert [r.status_code for r in routed] == [400] * 5
    assert "first page" in routed[-1].json()["detail"]
    refuse_routing(app)
    for early, as_routed in zip(await answers(), routed, strict=True):
        same_answer(early, as_routed)

    # An account gone since: its token is refused as the route refuses it.
    route_again(app)
    gone_cursor = await first_cursor(client, session, other_reader, stories=0)  # those above
    deleted = await client.delete("/v1/me", headers=other_reader.headers)
    assert deleted.status_code == 204
    with monkeypatch.context() as routed_only:
        routed_only.setattr(fast_path, "_next_feed_page", not_before_routing)
        routed_gone = await get(client, other_reader, cursor=gone_cursor)
    refuse_routing(app)
    early_gone = await get(client, other_reader, cursor=gone_cursor)
    assert routed_gone.status_code == 401
    same_answer(early_gone, routed_gone)


async def test_requests_asking_for_more_go_to_the_route(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
) -> None:
    cursor = await first_cursor(client, session, reader)
    _, secret = await factories.create_api_key(session)
    refuse_routing(app)
    feed = "/v1/me/feed"
    with_key = {**reader.headers, "X-API-Key": secret}
    routed = [
        await client.get(feed, params={"cursor": cursor}),
        await client.get(feed, params={"cursor": cursor}, headers={"Authorization": "Bearer x"}),
        await client.get(feed, params={"cursor": cursor}, headers=with_key),
        await get(client, reader),
        await get(client, reader, cursor=cursor, include_read="false"),
        await get(client, reader, cursor=cursor, mode="ranked"),
        await get(client, reader, cursor=[cursor, cursor]),
        await get(client, reader, cursor=cursor, limit=0),
        await get(client, reader, cursor=cursor, limit="02"),
        await get(client, reader, cursor=cursor, limit=[2, 3]),
        await get(client, reader, cursor="x" * (CURSOR_MAX_LENGTH + 1)),
    ]  # fmt: skip
    assert [r.json()["detail"] for r in routed] == ["routed"] * len(routed)

    # The route answers them as ever.
    route_again(app)
    assert (await client.get(feed, params={"cursor": cursor})).status_code == 401
    assert (await get(client, reader, cursor=cursor, limit=0)).status_code == 422
    too_long = await get(client, reader, cursor="x" * (CURSOR_MAX_LENGTH + 1))
    assert too_long.status_code == 400  # a cursor no list issued
    as_issued = await get(client, reader, cursor=cursor, include_read="false", mode="ranked")
    assert as_issued.status_code == 200


async def test_a_token_of_an_ended_login_goes_to_the_route_which_refuses_it(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    settings: Settings,
) -> None:
    cursor = await first_cursor(client, session, reader)
    token = create_access_token(settings, reader.user.id, datetime.now(UTC), login="login-1")
    signed_in = factories.Account(
        reader.user, reader.password, {"Authorization": f"Bearer {token}"}
    )
    assert (await get(client, signed_in, cursor=cursor, limit=2)).status_code == 200

    app.state.ended_logins.end("login-1")  # logged out (app.auth.logins)
    refuse_routing(app)
    assert (await get(client, signed_in, cursor=cursor, limit=2)).json()["detail"] == "routed"
    route_again(app)
    assert (await get(client, signed_in, cursor=cursor, limit=2)).status_code == 401


async def test_a_page_the_database_fails_to_serve_goes_to_the_route(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cursor = await first_cursor(client, session, reader)
    attempts: list[str] = []
    answer = feed_router.page_after_response

    async def lost_once(*arguments: Any) -> Any:
        attempts.append("lost" if not attempts else "answered")
        if len(attempts) == 1:
            raise OSError("connection lost")
        return await answer(*arguments)

    monkeypatch.setattr(feed_router, "page_after_response", lost_once)
    response = await get(client, reader, cursor=cursor, limit=2)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 2
    assert attempts == ["lost", "answered"]
