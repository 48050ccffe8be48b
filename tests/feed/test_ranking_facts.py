"""Ranking facts kept per process: read once, used for their minute at most, bounded in
number, and given each request's engagement."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.feed import ranking, signals
from app.models import Article
from tests import factories


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def stories(session: AsyncSession, count: int) -> list[str]:
    return [
        await factories.create_article(session, headline=f"Story {n}", topics=["Diplomacy"])
        for n in range(count)
    ]


async def headlines(
    facts: signals.RankingFacts, session: AsyncSession, ids: list[str]
) -> dict[str, str]:
    return {c.article_id: c.headline for c in await facts.candidates(session, ids, {})}


async def retitle(session: AsyncSession, article_id: str, headline: str) -> None:
    """Change the stored headline behind the facts' back (as another process would)."""
    await session.execute(update(Article).where(Article.id == article_id).values(headline=headline))


async def test_facts_are_read_once_and_used_for_their_minute_at_most(
    session: AsyncSession,
) -> None:
    ids = await stories(session, 3)
    clock = Clock()
    facts = signals.RankingFacts(seconds=60, clock=clock)
    assert await headlines(facts, session, ids) == {i: f"Story {n}" for n, i in enumerate(ids)}

    await retitle(session, ids[0], "Corrected")
    clock.now += 59
    assert (await headlines(facts, session, ids))[ids[0]] == "Story 0"
    clock.now += 2
    assert (await headlines(facts, session, ids))[ids[0]] == "Corrected"

    await retitle(session, ids[1], "Corrected too")
    facts.forget()
    assert (await headlines(facts, session, ids))[ids[1]] == "Corrected too"


async def test_facts_kept_are_bounded_and_those_in_use_stay(session: AsyncSession) -> None:
    ids = await stories(session, 6)
    facts = signals.RankingFacts(kept=4, seconds=60, clock=Clock())
    await headlines(facts, session, ids[:3])  # a full generation: it becomes the old one
    for article_id in ids[:3]:
        await retitle(session, article_id, "Changed")

    # Found in the old generation, so not read again, and kept on in the young one.
    assert (await headlines(facts, session, ids[:1])) == {ids[0]: "Story 0"}
    # Two more fill the young generation again: the old one goes, but for what was in use.
    await headlines(facts, session, ids[3:5])
    found = await headlines(facts, session, ids[:3])
    assert found == {ids[0]: "Story 0", ids[1]: "Changed", ids[2]: "Changed"}


async def test_candidates_carry_this_request_s_engagement(session: AsyncSession) -> None:
    engaged, quiet = await stories(session, 2)
    facts = signals.RankingFacts(clock=Clock())

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
    facts = signals.RankingFacts(clock=Clock())
    found = {c.article_id: c for c in await facts.candidates(session, ["a", "b"], {})}

    assert found["a"].topics == (7001, 7002)
    assert found["b"].authors == (9001,)
    assert found["a"].topics[0] is found["b"].topics[0]
    assert found["a"].authors[0] is found["b"].authors[0]
