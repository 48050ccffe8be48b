"""Every list's ``limit`` and ``cursor``: any size is clamped, any bad cursor is a 400 problem."""

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Receive, Scope, Send

from app.pagination import CURSOR_MAX_LENGTH
from tests import factories

# Every list that pages with ``limit`` (and, but for trending, ``cursor``), as a reader calls
# it: path and other query parameters.
LISTS = {
    "articles": ("/v1/articles", {}),
    "topics": ("/v1/topics", {}),
    "authors": ("/v1/authors", {}),
    "trending": ("/v1/trending", {}),
    "feed": ("/v1/me/feed", {}),
    "latest-feed": ("/v1/me/feed", {"mode": "latest"}),
    "bookmarks": ("/v1/me/bookmarks", {}),
    "history": ("/v1/me/history", {}),
}
PAGED_LISTS = [name for name in LISTS if name != "trending"]
# Above the old bound of 1,000,000, beyond 64 bits, beyond the 4,300 digits Python converts.
HUGE_LIMITS = ("1000001", "99999999999999999999", "9" * 5000)
OVER_LONG_CURSORS = ("x" * (CURSOR_MAX_LENGTH + 1), "x" * 100_000)


async def test_any_limit_above_100_is_clamped_to_100(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for _ in range(101):
        await factories.create_article(session, topics=["Energy"])
    for limit in HUGE_LIMITS:
        # Without a topic the route answers; with one, a page kept for the topic may.
        for params in ({"limit": limit}, {"limit": limit, "topic": "energy"}):
            response = await client.get("/v1/articles", params=params)
            assert response.status_code == 200, (len(limit), response.text)
            assert len(response.json()["items"]) == 100
            assert response.json()["next_cursor"] is not None


@pytest.mark.parametrize("name", LISTS)
async def test_every_list_takes_any_positive_limit_and_refuses_the_rest(
    client: httpx.AsyncClient, reader: factories.Account, name: str
) -> None:
    path, params = LISTS[name]

    async def listed(limit: str) -> httpx.Response:
        return await client.get(path, params={**params, "limit": limit}, headers=reader.headers)

    for limit in (*HUGE_LIMITS, "0" * 5000 + "7"):
        response = await listed(limit)
        assert response.status_code == 200, (len(limit), response.text)
    for limit in ("0", "-1", "-99999999999999999999", "0" * 5000, "ten", "1e3"):
        assert (await listed(limit)).status_code == 422, limit


async def test_the_openapi_document_states_what_the_lists_accept(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    schemas: dict[str, list[dict[str, Any]]] = {"limit": [], "cursor": []}
    listed = set()
    for path, operations in document["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] in schemas:
                schemas[parameter["name"]].append(parameter["schema"])
                listed.add(path)
    partner_feeds = {
        f"/v1/topics/{{slug}}/feed{suffix}" for suffix in ("", ".rss", ".atom", ".json")
    }
    # The admins' list of API keys too (tests/api_keys pages through it).
    admins = {"/v1/admin/api-keys"}
    assert listed == {path for path, _ in LISTS.values()} | partner_feeds | admins
    # A size of at least 1 and of any magnitude; a cursor of any length (refused if bad).
    for limit in schemas["limit"]:
        assert limit["type"] == "integer"
        assert limit["minimum"] == 1
        assert "maximum" not in limit
    assert schemas["cursor"]
    for cursor in schemas["cursor"]:
        assert cursor["anyOf"] == [{"type": "string"}, {"type": "null"}]


async def get_with_query(
    app: FastAPI, path: str, params: dict[str, str], headers: dict[str, str]
) -> httpx.Response:
    """GET ``path`` with a query string of any length (httpx sends at most 65,536 characters)."""

    async def asked(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "query_string": urlencode(params).encode()}, receive, send)

    transport = httpx.ASGITransport(app=asked)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.get(path, headers=headers)


def assert_bad_cursor(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "This cursor is not valid."


@pytest.mark.parametrize("name", PAGED_LISTS)
async def test_an_over_long_cursor_is_a_400_problem(
    app: FastAPI, reader: factories.Account, name: str
) -> None:
    path, params = LISTS[name]
    for cursor in OVER_LONG_CURSORS:
        assert_bad_cursor(
            await get_with_query(app, path, {**params, "cursor": cursor}, reader.headers)
        )


async def test_an_over_long_cursor_on_a_partner_feed_is_a_400_problem(
    app: FastAPI, session: AsyncSession
) -> None:
    await factories.create_article(session, topics=["Energy"])
    _, secret = await factories.create_api_key(session)
    for cursor in OVER_LONG_CURSORS:
        params = {"cursor": cursor}
        headers = {"X-API-Key": secret}
        assert_bad_cursor(await get_with_query(app, "/v1/topics/energy/feed", params, headers))
