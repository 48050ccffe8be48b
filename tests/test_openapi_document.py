"""The OpenAPI document against what the API does: the headers clients act on are declared
where they are sent, and every list's NextPage link leads to its next page."""

import re
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories

# Headers a client acts on (beyond the rate limits, checked by the schema fuzzing): where a
# new resource is, how to revalidate, how long to keep.
ACTED_ON = ("location", "etag", "last-modified", "cache-control")


def template_of(document: dict[str, Any], path: str) -> str:
    """The document's path template that matches ``path``."""
    for template in document["paths"]:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return str(template)
    raise AssertionError(f"{path} is not in the document")


def undeclared(document: dict[str, Any], method: str, response: httpx.Response) -> set[str]:
    """The headers among ACTED_ON that ``response`` carries and the document does not
    declare for its operation and status."""
    operation = document["paths"][template_of(document, response.request.url.path)][method]
    declared = operation["responses"][str(response.status_code)].get("headers", {})
    return {h for h in ACTED_ON if h in response.headers} - {h.lower() for h in declared}


async def test_the_headers_clients_act_on_are_declared_where_they_are_sent(
    client: httpx.AsyncClient,
    session: AsyncSession,
    editor: factories.Account,
    reader: factories.Account,
) -> None:
    document = (await client.get("/openapi.json")).json()
    _, secret = await factories.create_api_key(session)
    feed_key = {"X-API-Key": secret}
    created = await client.post(
        "/v1/articles",
        headers=editor.headers,
        json=factories.article_payload(topics=["Energy"]),
    )
    topic = await client.post("/v1/topics", headers=editor.headers, json={"name": "Oil"})
    article = await client.get(created.headers["location"])
    responses = [
        ("post", created),
        ("post", topic),
        ("get", article),
        (
            "get",
            await client.get(
                created.headers["location"], headers={"If-None-Match": article.headers["etag"]}
            ),
        ),
        ("get", await client.get("/v1/me", headers=reader.headers)),
        ("get", await client.get("/v1/me/subscriptions", headers=reader.headers)),
    ]
    for suffix in ("", ".rss", ".atom", ".json"):
        path = f"/v1/topics/energy/feed{suffix}"
        first = await client.get(path, headers=feed_key)
        again = await client.get(path, headers={**feed_key, "If-None-Match": first.headers["etag"]})
        responses += [("get", first), ("get", again)]
    assert [r.status_code for _, r in responses] == [201, 201, 200, 304, 200, 200] + [200, 304] * 4
    for method, response in responses:
        assert {h for h in ACTED_ON if h in response.headers}, response.request.url
        assert undeclared(document, method, response) == set(), response.request.url


def followed(link: dict[str, Any], request: httpx.Request, page: dict[str, Any]) -> dict[str, str]:
    """The query a client following ``link`` sends: each runtime expression evaluated
    against the request and its page, those that name nothing left out (OpenAPI 3.1, 4.8.20)."""
    query = {}
    for name, expression in link["parameters"].items():
        if expression == "$response.body#/next_cursor":
            query[name] = page["next_cursor"]
        elif expression.startswith("$request.query."):
            value = request.url.params.get(expression.removeprefix("$request.query."))
            if value is not None:
                query[name] = value
        else:
            assert expression.startswith("$request.path."), expression
    return query


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/articles", {"topic": "energy", "limit": "2"}),
        ("/v1/articles", {"section": "World", "q": "story", "limit": "2"}),
        ("/v1/topics", {"q": "e", "limit": "1"}),
        ("/v1/me/feed", {"mode": "latest", "limit": "2"}),
    ],
)
async def test_a_lists_next_page_link_leads_to_its_next_page(
    client: httpx.AsyncClient,
    session: AsyncSession,
    reader: factories.Account,
    path: str,
    query: dict[str, str],
) -> None:
    for _ in range(5):
        await factories.create_article(session, topics=["Energy", "Geothermal energy"])
    await client.put("/v1/me/subscriptions/topics/energy", headers=reader.headers)
    document = (await client.get("/openapi.json")).json()
    link = document["paths"][path]["get"]["responses"]["200"]["links"]["NextPage"]
    assert link["operationId"] == document["paths"][path]["get"]["operationId"]

    first = await client.get(path, params=query, headers=reader.headers)
    assert first.json()["next_cursor"] is not None
    following = followed(link, first.request, first.json())
    second = await client.get(path, params=following, headers=reader.headers)
    assert second.status_code == 200, second.text
    assert second.json()["items"]
    assert not {str(item) for item in second.json()["items"]} & {
        str(item) for item in first.json()["items"]
    }
