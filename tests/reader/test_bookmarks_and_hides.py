"""Bookmarks and hides."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories


async def test_bookmarks_newest_first_paginated_and_idempotent(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    ids = [await factories.create_article(session) for _ in range(5)]
    for article_id in ids:
        for _ in range(2):
            response = await client.put(f"/v1/me/bookmarks/{article_id}", headers=reader.headers)
            assert response.status_code == 204
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/me/bookmarks", headers=reader.headers, params=params)).json()
        seen += [item["article"]["id"] for item in page["items"]]
        assert all("bookmarked_at" in item for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == 5

    assert (
        await client.delete(f"/v1/me/bookmarks/{ids[0]}", headers=reader.headers)
    ).status_code == 204
    assert (
        await client.delete(f"/v1/me/bookmarks/{ids[0]}", headers=reader.headers)
    ).status_code == 204
    remaining = (await client.get("/v1/me/bookmarks", headers=reader.headers)).json()["items"]
    assert ids[0] not in [item["article"]["id"] for item in remaining]


async def test_bookmark_unknown_article_is_404(
    client: httpx.AsyncClient, reader: factories.Account
) -> None:
    assert (await client.put("/v1/me/bookmarks/nope", headers=reader.headers)).status_code == 404
    assert (await client.put("/v1/me/hidden/nope", headers=reader.headers)).status_code == 404


async def test_retracted_articles_drop_out_of_bookmarks(
    client: httpx.AsyncClient,
    reader: factories.Account,
    editor: factories.Account,
    session: AsyncSession,
) -> None:
    article_id = await factories.create_article(session)
    await client.put(f"/v1/me/bookmarks/{article_id}", headers=reader.headers)
    await client.delete(f"/v1/articles/{article_id}", headers=editor.headers)
    assert (await client.get("/v1/me/bookmarks", headers=reader.headers)).json()["items"] == []
    assert (
        await client.put(f"/v1/me/bookmarks/{article_id}", headers=reader.headers)
    ).status_code == 410


async def test_bookmarks_are_private(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    session: AsyncSession,
) -> None:
    article_id = await factories.create_article(session)
    await client.put(f"/v1/me/bookmarks/{article_id}", headers=reader.headers)
    assert (await client.get("/v1/me/bookmarks", headers=other_reader.headers)).json()[
        "items"
    ] == []
    # The other reader "removing" it touches only their own (empty) bookmarks.
    await client.delete(f"/v1/me/bookmarks/{article_id}", headers=other_reader.headers)
    mine = (await client.get("/v1/me/bookmarks", headers=reader.headers)).json()["items"]
    assert [item["article"]["id"] for item in mine] == [article_id]
    # A cursor issued to one reader does not work for another.
    await client.put(
        f"/v1/me/bookmarks/{await factories.create_article(session)}", headers=reader.headers
    )
    cursor = (
        await client.get("/v1/me/bookmarks", headers=reader.headers, params={"limit": 1})
    ).json()["next_cursor"]
    stolen = await client.get(
        "/v1/me/bookmarks", headers=other_reader.headers, params={"cursor": cursor}
    )
    assert stolen.status_code == 400


async def test_hide_and_unhide_are_idempotent(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    article_id = await factories.create_article(session)
    for _ in range(2):
        assert (
            await client.put(f"/v1/me/hidden/{article_id}", headers=reader.headers)
        ).status_code == 204
    for _ in range(2):
        assert (
            await client.delete(f"/v1/me/hidden/{article_id}", headers=reader.headers)
        ).status_code == 204
