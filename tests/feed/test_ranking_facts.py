"""Ranking facts kept per process: read once (the newest articles' in the background), used
for their minute at most, bounded in number, and given each request's engagement."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.db import fetch_rows
from app.feed import ranking, signals
from app.main import create_app
from app.models import Article
from tests import factories

PUBLISHED = datetime(2026, 11, 27, 12, tzinfo=UTC)


async def stories(session: AsyncSession, count: int) -> list[str]:
    """Stories 0 to ``count - 1``, each published a minute after the one before."""
    return [
        await factories.create_article(
            session,
            headline=f"story {n}",
            topics=["Diplomacy"],
            published_at=(PUBLISHED + timedelta(minutes=n)).isoformat(),
        )
        for n in range(count)
    ]


async def known_stories(
    facts: signals.RankingFacts, session: AsyncSession, ids: list[str]
) -> dict[str, str]:
    """What the facts hold of each article's headline: its story. These tests' headlines
    are lower case and unpunctuated, so each is its own story."""
    return {c.article_id: c.story for c in await facts.candidates(session, ids, {})}


async def retitle(session: AsyncSession, article_id: str, headline: str) -> None:
    """Change the stored headline behind the facts' back (as another process would)."""
    await session.execute(update(Article).where(Article.id == article_id).values(headline=headline))


async def test_facts_are_read_once_and_used_for_their_minute_at_most(
    session: AsyncSession,
) -> None:
    ids = await stories(session, 3)
    clock = factories.Clock()
    facts = signals.RankingFacts(seconds=60, clock=clock)
    assert await known_stories(facts, session, ids) == {i: f"story {n}" for n, i in enumerate(ids)}

    await retitle(session, ids[0], "corrected")
    clock.now += 59
    assert (await known_stories(facts, session, ids))[ids[0]] == "story 0"
    clock.now += 2
    assert (await known_stories(facts, session, ids))[ids[0]] == "corrected"

    await retitle(session, ids[1], "corrected too")
    facts.forget()
    assert (await known_stories(facts, session, ids))[ids[1]] == "corrected too"


async def test_facts_kept_are_bounded_and_those_in_use_stay(session: AsyncSession) -> None:
    ids = await stories(session, 6)
    facts = signals.RankingFacts(kept=4, seconds=60, clock=factories.Clock())
    await known_stories(facts, session, ids[:3])  # a full generation: it becomes the old one
    for article_id in ids[:3]:
        await retitle(session, article_id, "changed")

    # Found in the old generation, so not read again, and kept on in the young one.
    assert (await known_stories(facts, session, ids[:1])) == {ids[0]: "story 0"}
    # Two more fill the young generation again: the old one goes, but for what was in use.
    await known_stories(facts, session, ids[3:5])
    found = await known_stories(facts, session, ids[:3])
    assert found == {ids[0]: "story 0", ids[1]: "changed", ids[2]: "changed"}


async def test_candidates_carry_this_request_s_engagement(session: AsyncSession) -> None:
    engaged, quiet = await stories(session, 2)
    facts = signals.RankingFacts(clock=factories.Clock())

    async def engagement_of(values: dict[str, float]) -> dict[str, float]:
        found = await facts.candidates(session, [engaged, quiet], values)
        assert all(isinstance(c, ranking.Candidate) for c in found)
        return {c.article_id: c.engagement for c in found}

    assert await engagement_of({engaged: 5.0}) == {engaged: 5.0, quiet: 0.0}
    assert await engagement_of({engaged: 5.0}) == {engaged: 5.0, quiet: 0.0}
    assert await engagement_of({engaged: 7.5, quiet: 1.0}) == {engaged: 7.5, quiet: 1.0}
    assert await engagement_of({}) == {engaged: 0.0, quiet: 0.0}


async def test_kept_facts_share_their_label_ids(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The driver makes a new int for each label id of each row (beyond CPython's small ones).
    published = datetime(2026, 11, 27, 12, tzinfo=UTC)
    rows: list[tuple[object, ...]] = [
        ("a", published, False, "A", [int("7001"), int("7002")], [int("9001")]),
        ("b", published, True, "B", [int("7001")], [int("9001")]),
    ]

    async def fetch_rows(*_: object) -> list[tuple[object, ...]]:
        return rows

    monkeypatch.setattr(signals, "fetch_rows", fetch_rows)
    facts = signals.RankingFacts(clock=factories.Clock())
    found = {c.article_id: c for c in await facts.candidates(session, ["a", "b"], {})}

    assert found["a"].topics == (7001, 7002)
    assert found["b"].authors == (9001,)
    assert found["a"].topics[0] is found["b"].topics[0]
    assert found["a"].authors[0] is found["b"].authors[0]


async def test_the_newest_facts_are_read_a_part_at_a_time_and_serve_for_their_minute(
    session: AsyncSession, executed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signals, "NEWEST_READ_AT_ONCE", 2)
    older, *newest = await stories(session, 4)
    clock = factories.Clock()
    facts = signals.RankingFacts(newest=3, seconds=60, clock=clock)
    executed.clear()
    await facts.read_newest(session)
    assert len(executed) == 2

    executed.clear()
    assert await known_stories(facts, session, newest) == {
        i: f"story {n + 1}" for n, i in enumerate(newest)
    }
    assert executed == [], "the newest are known"
    assert (await known_stories(facts, session, [older]))[older] == "story 0"
    assert len(executed) == 1, "an older one is read when asked for"

    await retitle(session, newest[0], "corrected")
    clock.now += 59
    assert (await known_stories(facts, session, newest[:1]))[newest[0]] == "story 1"
    clock.now += 2
    assert (await known_stories(facts, session, newest[:1]))[newest[0]] == "corrected"

    # Read again, a fact that did not change is the one kept before: no second copy.
    await facts.read_newest(session)
    kept = {c.article_id: c for c in await facts.candidates(session, newest, {})}
    await retitle(session, newest[1], "corrected too")
    await facts.read_newest(session)
    again = {c.article_id: c for c in await facts.candidates(session, newest, {})}
    assert again[newest[2]] is kept[newest[2]]
    assert again[newest[1]].story == "corrected too"

    await retitle(session, newest[2], "corrected at last")
    facts.forget()
    assert (await known_stories(facts, session, newest[2:]))[newest[2]] == "corrected at last"


async def test_an_article_changed_while_the_newest_were_read_is_read_afresh(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed, unchanged = await stories(session, 2)
    facts = signals.RankingFacts(newest=2, clock=factories.Clock())

    async def read_then_changed(*args: Any) -> Any:
        rows = await fetch_rows(*args)
        facts.forget([changed])  # corrected and committed while the rows were on their way
        return rows

    monkeypatch.setattr(signals, "fetch_rows", read_then_changed)
    await facts.read_newest(session)
    monkeypatch.setattr(signals, "fetch_rows", fetch_rows)
    await retitle(session, changed, "corrected")
    await retitle(session, unchanged, "changed behind its back")

    found = await known_stories(facts, session, [changed, unchanged])
    assert found == {changed: "corrected", unchanged: "story 1"}


async def test_newest_facts_read_while_this_process_wrote_are_not_kept(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await stories(session, 2)
    facts = signals.RankingFacts(newest=2, clock=factories.Clock())
    read = fetch_rows

    async def slow_read(*args: Any) -> Any:
        rows = await read(*args)
        facts.forget()  # an article written and committed while the facts were on their way
        return rows

    monkeypatch.setattr(signals, "fetch_rows", slow_read)
    await facts.read_newest(session)
    monkeypatch.setattr(signals, "fetch_rows", read)
    await retitle(session, ids[0], "corrected")
    assert (await known_stories(facts, session, ids[:1]))[ids[0]] == "corrected"


async def test_the_newest_facts_are_kept_read_in_the_background(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(signals, "NEWEST_REFRESH_SECONDS", 0.01)
    ids = await stories(session, 2)
    facts = signals.RankingFacts(newest=2)
    reads: list[str] = []
    failing = True

    @contextlib.asynccontextmanager
    async def sessions() -> AsyncIterator[AsyncSession]:
        reads.append("read")
        if failing:
            raise ConnectionRefusedError("the database is down")
        yield session

    async def until(check: Callable[[], bool]) -> None:
        async with asyncio.timeout(5):
            while not check():  # noqa: ASYNC110
                await asyncio.sleep(0.01)

    keeping = asyncio.create_task(facts.keep_newest(sessions))
    try:
        await until(lambda: bool(reads))
        assert "Newest ranking facts not read (ConnectionRefusedError" in caplog.text
        assert facts.newest_read_at == float("-inf")
        failing = False
        await until(lambda: facts.newest_read_at > float("-inf"))  # at a later turn
        # Cancelled between turns, never while reading on the test's connection.
        failing, tried = True, len(reads)
        await until(lambda: len(reads) > tried)
    finally:
        keeping.cancel()
        await asyncio.gather(keeping, return_exceptions=True)
    assert keeping.cancelled()
    await retitle(session, ids[0], "corrected behind its back")
    assert (await known_stories(facts, session, ids[:1]))[ids[0]] == "story 0"


async def test_forgetting_some_articles_keeps_the_rest(session: AsyncSession) -> None:
    ids = await stories(session, 4)
    facts = signals.RankingFacts(newest=2, clock=factories.Clock())
    await facts.read_newest(session)
    await known_stories(facts, session, ids[:2])  # the two older ones, read when asked for
    for article_id in ids:
        await retitle(session, article_id, "changed")

    facts.forget([ids[0], ids[3]])
    found = await known_stories(facts, session, ids)
    assert found == {ids[0]: "changed", ids[1]: "story 1", ids[2]: "story 2", ids[3]: "changed"}


async def test_articles_changed_through_this_process_are_read_afresh(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    editor: factories.Account,
    executed: list[str],
) -> None:
    corrected, retracted, untouched = await stories(session, 3)
    facts: signals.RankingFacts = app.state.feed_signals.facts
    await facts.read_newest(session)

    patched = await client.patch(
        f"/v1/articles/{corrected}", json={"headline": "corrected"}, headers=editor.headers
    )
    assert patched.status_code == 200
    deleted = await client.delete(f"/v1/articles/{retracted}", headers=editor.headers)
    assert deleted.status_code == 204
    created = await client.post(
        "/v1/articles/batch",
        json={"articles": [factories.article_payload(headline="New")]},
        headers=editor.headers,
    )
    assert created.json()["results"][0]["status"] == "created"

    executed.clear()
    assert await known_stories(facts, session, [untouched]) == {untouched: "story 2"}
    assert executed == [], "what was not changed is still known"
    assert await known_stories(facts, session, [corrected, retracted]) == {corrected: "corrected"}


@pytest.mark.usefixtures("engine")  # the database migrated
async def test_a_started_app_reads_the_newest_facts_in_the_background(settings: Settings) -> None:
    app = create_app(settings)
    facts: signals.RankingFacts = app.state.feed_signals.facts
    assert facts.newest_read_at == float("-inf")
    async with app.router.lifespan_context(app):
        async with asyncio.timeout(10):
            while facts.newest_read_at == float("-inf"):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
