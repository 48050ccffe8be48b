"""Later pages keep the feed diverse when stories drop out of the ranking between pages:
no more than 3 in a row on one primary topic, across pages, while another topic remains."""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import current_time
from app.config import Settings
from app.feed import ranking, service
from app.feed.router import feed_binding
from app.pagination import CursorCodec
from tests import factories

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
A, B, C = 1, 2, 3


@pytest.fixture(autouse=True)
def frozen_clock(app: FastAPI) -> None:
    app.dependency_overrides[current_time] = lambda: NOW


async def ranked_as(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch, topics: list[int]
) -> list[str]:
    """Stories ranked in this order, with these primary topics, by every first page."""
    stories = [
        await factories.create_article(
            session, topics=[f"Topic {topic}"], published_at=(NOW - timedelta(hours=n))
        )
        for n, topic in enumerate(topics)
    ]
    ranked = [
        ranking.Scored(
            ranking.Candidate(story, NOW, (topic,)), 100.0 - n, (ranking.Reason("recent"),)
        )
        for n, (story, topic) in enumerate(zip(stories, topics, strict=True))
    ]

    async def rank_for_reader(*args: object, **kwargs: object) -> list[ranking.Scored]:
        return ranked

    monkeypatch.setattr(service, "rank_for_reader", rank_for_reader)
    return stories


async def feed(client: httpx.AsyncClient, reader: factories.Account, **params: Any) -> Any:
    response = await client.get("/v1/me/feed", headers=reader.headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(page: Any) -> list[str]:
    return [item["article"]["id"] for item in page["items"]]


async def hide(client: httpx.AsyncClient, reader: factories.Account, story: str) -> None:
    response = await client.put(f"/v1/me/hidden/{story}", headers=reader.headers)
    assert response.status_code == 204


@pytest.fixture
async def runs_of_three(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Twelve stories ranked A A A B A A A B A A A B by primary topic."""
    return await ranked_as(session, monkeypatch, [A, A, A, B] * 3)


async def test_a_run_left_by_a_hidden_story_is_broken_by_the_next_on_another_topic(
    client: httpx.AsyncClient, reader: factories.Account, runs_of_three: list[str]
) -> None:
    stories = runs_of_three
    first = await feed(client, reader, limit=4)
    assert ids(first) == stories[0:4]
    await hide(client, reader, stories[7])

    second = await feed(client, reader, limit=4, cursor=first["next_cursor"])
    assert ids(second) == stories[4:7]  # A A A after B
    # A fourth A would follow: the B of this page's window comes first.
    third = await feed(client, reader, limit=4, cursor=second["next_cursor"])
    assert ids(third) == [stories[11], *stories[8:11]]
    assert third["next_cursor"] is None


async def test_a_story_on_another_topic_is_pulled_from_further_down_and_not_shown_again(
    client: httpx.AsyncClient, reader: factories.Account, runs_of_three: list[str]
) -> None:
    stories = runs_of_three
    pages = [ids(page := await feed(client, reader, limit=2))]
    await hide(client, reader, stories[3])
    while page["next_cursor"]:
        page = await feed(client, reader, limit=2, cursor=page["next_cursor"])
        pages.append(ids(page))

    expected = [[0, 1], [2], [7, 4], [5, 6], [11, 8], [9, 10]]
    assert pages == [[stories[i] for i in page] for page in expected]


@pytest.mark.parametrize("seed", range(10))
async def test_pages_stay_diverse_whatever_drops_out_between_them(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
) -> None:
    """Whatever the reader hides between pages, and whatever the page sizes: each story not
    hidden is shown once, none hidden is shown after, and a fourth story in a row on one
    topic is shown only when no story on another is left to show."""
    # Seeded, not secret: each case is the same walk on every run.
    rng = random.Random(seed)  # noqa: S311
    drawn = [rng.choice([A, A, A, B, C]) for _ in range(20)]
    topics = [drawn[n] for n in ranking.diversify(range(20), drawn.__getitem__)]
    stories = await ranked_as(session, monkeypatch, topics)
    topic_of = dict(zip(stories, topics, strict=True))

    hidden: set[str] = set()
    shown: list[str] = []
    page: dict[str, Any] = {"next_cursor": None}
    while True:
        params = {"limit": rng.randint(1, 5)}
        if shown:
            if not page["next_cursor"]:
                break
            params["cursor"] = page["next_cursor"]
        page = await feed(client, reader, **params)
        for story in ids(page):
            assert story not in hidden
            assert story not in shown
            shown.append(story)
            run = ranking.NO_RUN.after(topic_of[s] for s in shown)
            if run.length > ranking.MAX_SAME_TOPIC_RUN:
                left = [s for s in stories if s not in shown and s not in hidden]
                assert {topic_of[s] for s in left} <= {run.topic}
        # Mostly stories on the rarer topics: what breaks up runs of the common one.
        for story in stories:
            if story not in shown and rng.random() < (0.1 if topic_of[story] == A else 0.4):
                await hide(client, reader, story)
                hidden.add(story)
    assert set(shown) == set(stories) - hidden


async def test_a_cursor_naming_an_offset_alone_still_pages(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cursors issued before pages kept their run: the snapshot from an offset."""
    stories = await ranked_as(session, monkeypatch, [A, B, C] * 3)
    first = await feed(client, reader, limit=2)
    cursors = CursorCodec(settings)
    binding = feed_binding(cursors, reader.user.id, "ranked", False)
    snapshot_id = cursors.decode(first["next_cursor"], binding)[0]

    page = await feed(client, reader, limit=3, cursor=cursors.encode(binding, [snapshot_id, 4]))
    assert ids(page) == stories[4:7]


@pytest.mark.parametrize(
    "position",
    [[5, "A", 1, []], [5, 1, -1, []], [5, 1, 1, [5]], [5, 1, 1, ["6"]], [5, 1, 1], [-1, 1, 1, []]],
)
async def test_a_cursor_whose_position_makes_no_sense_is_refused(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    position: list[Any],
) -> None:
    await ranked_as(session, monkeypatch, [A, B, C] * 3)
    first = await feed(client, reader, limit=2)
    cursors = CursorCodec(settings)
    binding = feed_binding(cursors, reader.user.id, "ranked", False)
    snapshot_id = cursors.decode(first["next_cursor"], binding)[0]

    cursor = cursors.encode(binding, [snapshot_id, *position])
    response = await client.get("/v1/me/feed", headers=reader.headers, params={"cursor": cursor})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
