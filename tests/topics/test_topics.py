"""Topics and authors: listing, search, counts, and editor writes."""

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories


async def test_topics_list_with_counts(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await factories.create_article(session, topics=["China-Russia relations", "Diplomacy"])
    await factories.create_article(session, topics=["Diplomacy"])
    page = (await client.get("/v1/topics")).json()
    assert page["next_cursor"] is None
    by_slug = {t["slug"]: t for t in page["items"]}
    assert by_slug["diplomacy"]["article_count"] == 2
    assert by_slug["china-russia-relations"] == {
        "slug": "china-russia-relations",
        "name": "China-Russia relations",
        "description": None,
        "follower_count": 0,
        "article_count": 1,
    }


async def test_topic_search_by_part_of_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await factories.create_article(
        session, topics=["China-Russia relations", "Climate", "Chinese economy"]
    )
    names = [
        t["name"] for t in (await client.get("/v1/topics", params={"q": "chin"})).json()["items"]
    ]
    assert names == ["China-Russia relations", "Chinese economy"]
    assert (await client.get("/v1/topics", params={"q": "RUSSIA"})).json()["items"][0]["slug"] == (
        "china-russia-relations"
    )
    assert (await client.get("/v1/topics", params={"q": "%"})).json()["items"] == []


async def test_topic_and_author_search_ignores_case_in_every_script(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await factories.create_article(
        session, topics=["École Évian", "Ökonomie"], authors=["Ørsted Ærø"]
    )
    for path, query, name in (
        ("/v1/topics", "école", "École Évian"),
        ("/v1/topics", "ÉVIAN", "École Évian"),
        ("/v1/topics", "öKONOMIE", "Ökonomie"),
        ("/v1/authors", "ørsted ærø", "Ørsted Ærø"),
    ):
        found = (await client.get(path, params={"q": query})).json()["items"]
        assert [item["name"] for item in found] == [name], query


async def test_topics_paginate(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await factories.create_article(session, topics=[f"Topic {i:02d}" for i in range(10)])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/topics", params=params)).json()
        seen += [t["slug"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"topic-{i:02d}" for i in range(10)]


async def test_get_topic_and_unknown_topic(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await factories.create_article(session, topics=["Climate"])
    assert (await client.get("/v1/topics/climate")).json()["name"] == "Climate"
    assert (await client.get("/v1/topics/nope")).status_code == 404
    assert (await client.get("/v1/topics/Not A Slug")).status_code == 404


async def test_editor_creates_and_edits_topic(
    client: httpx.AsyncClient, editor: factories.Account, reader: factories.Account
) -> None:
    body = {"name": "Arctic shipping", "description": "Routes through the melting north."}
    assert (await client.post("/v1/topics", headers=reader.headers, json=body)).status_code == 403
    created = await client.post("/v1/topics", headers=editor.headers, json=body)
    assert created.status_code == 201
    assert created.json()["slug"] == "arctic-shipping"
    assert created.headers["location"] == "/v1/topics/arctic-shipping"
    duplicate = await client.post(
        "/v1/topics", headers=editor.headers, json={"name": "ARCTIC shipping"}
    )
    assert duplicate.status_code == 409

    patched = await client.patch(
        "/v1/topics/arctic-shipping", headers=editor.headers, json={"name": "Arctic sea routes"}
    )
    assert patched.status_code == 200
    assert patched.json() | {} == {**created.json(), "name": "Arctic sea routes"}
    for bad in ({"name": None}, {"slug": "renamed"}, {"name": ""}, {"description": "a\x00"}):
        response = await client.patch(
            "/v1/topics/arctic-shipping", headers=editor.headers, json=bad
        )
        assert response.status_code == 422, bad
    assert (
        await client.patch("/v1/topics/nope", headers=editor.headers, json={"name": "X"})
    ).status_code == 404


async def test_authors(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await factories.create_article(session, authors=["Ana López", "Ben Okafor"])
    await factories.create_article(session, authors=["Ana Lopez"])
    authors = (await client.get("/v1/authors")).json()["items"]
    assert [(a["slug"], a["name"], a["article_count"]) for a in authors] == [
        ("ana-lopez", "Ana López", 2),
        ("ben-okafor", "Ben Okafor", 1),
    ]
    found = (await client.get("/v1/authors", params={"q": "oka"})).json()["items"]
    assert [a["slug"] for a in found] == ["ben-okafor"]
    assert (await client.get("/v1/authors/ana-lopez")).json()["article_count"] == 2
    assert (await client.get("/v1/authors/nobody")).status_code == 404


async def test_names_without_latin_letters_get_a_stable_slug(
    client: httpx.AsyncClient, editor: factories.Account
) -> None:
    created = await client.post("/v1/topics", headers=editor.headers, json={"name": "中俄关系"})
    assert created.status_code == 201
    slug = created.json()["slug"]
    assert re.fullmatch(r"x-[0-9a-f]{12}", slug)
    again = await client.post("/v1/topics", headers=editor.headers, json={"name": "中俄关系"})
    assert again.status_code == 409
    assert (await client.get(f"/v1/topics/{slug}")).json()["name"] == "中俄关系"
    long_name = "Relations " * 11
    long_topic = await client.post("/v1/topics", headers=editor.headers, json={"name": long_name})
    assert len(long_topic.json()["slug"]) <= 80
