"""Reading events: dedup across retries, partial rejection, history, engagement."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app import fast_path
from app.auth.security import create_access_token
from app.clock import current_time
from app.config import Settings
from app.db import dialect_name
from app.feed import signals
from app.models import ArticleEngagement, ReaderArticle, ReadingEvent
from app.reader import events as events_module
from app.reader import recording
from app.reader.schemas import EventIn, EventsAccepted
from tests import factories
from tests.routing import refuse_routing

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def event(
    event_id: str, article_id: str, kind: str = "open", minutes_ago: float = 1, **extra: object
) -> dict[str, object]:
    occurred = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    return {
        "id": event_id,
        "type": kind,
        "article_id": article_id,
        "occurred_at": occurred,
        **extra,
    }


async def post(
    client: httpx.AsyncClient, account: factories.Account, events: list[dict[str, object]]
) -> httpx.Response:
    return await client.post("/v1/me/events", headers=account.headers, json={"events": events})


async def test_retrying_a_batch_records_nothing_twice(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession, app: FastAPI
) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    article_id = await factories.create_article(session)
    batch = [
        event("e1", article_id),
        event("e2", article_id, "read", dwell_ms=40_000),
        event("e1", article_id),
    ]
    first = await post(client, reader, batch)
    assert first.status_code == 202
    assert first.json() == {"accepted": 2, "duplicates": 1, "rejected": []}
    retry = await post(client, reader, batch)
    assert retry.json() == {"accepted": 0, "duplicates": 3, "rejected": []}
    stored = await session.scalar(select(func.count()).select_from(ReadingEvent))
    assert stored == 2


async def test_unknown_retracted_and_future_events_are_rejected_alone(
    client: httpx.AsyncClient,
    reader: factories.Account,
    editor: factories.Account,
    session: AsyncSession,
    app: FastAPI,
) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    live = await factories.create_article(session)
    retracted = await factories.create_article(session)
    await client.delete(f"/v1/articles/{retracted}", headers=editor.headers)
    response = await post(
        client,
        reader,
        [
            event("ok", live),
            event("unknown", "no-such-article"),
            event("gone", retracted),
            event("future", live, minutes_ago=-6),
            event("slightly-ahead", live, "read", minutes_ago=-4),
        ],
    )
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == [1, 2, 3]
    reasons = [r["reason"] for r in body["rejected"]]
    assert "unknown" in reasons[0]
    assert "retracted" in reasons[1]
    assert "future" in reasons[2]


async def test_batch_size_bounds(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession, app: FastAPI
) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    article_id = await factories.create_article(session)
    full = [event(f"e{i}", article_id, "impression") for i in range(500)]
    response = await post(client, reader, full)
    assert response.status_code == 202
    assert response.json()["accepted"] == 500
    over = [event(f"x{i}", article_id, "impression") for i in range(501)]
    assert (await post(client, reader, over)).status_code == 422
    assert (await post(client, reader, [])).status_code == 422


async def test_malformed_events_are_422(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    article_id = await factories.create_article(session)
    for bad in (
        event("a", article_id, "teleport"),
        event("", article_id),
        event("x" * 65, article_id),
        {**event("b", article_id), "occurred_at": "2026-11-27T12:00:00"},
        # Year 0 in UTC (it is stored and compared there), read before it reaches the database.
        {**event("b", article_id), "occurred_at": "0001-01-01T00:00:00+14:00"},
        # The first moment of year 1 (a "zero time"), which PostgreSQL's driver would store
        # as -infinity, however it is written.
        {**event("b", article_id), "occurred_at": "0001-01-01T00:00:00Z"},
        {**event("b", article_id), "occurred_at": "0001-01-01T01:00:00+01:00"},
        {**event("c", article_id), "user_id": "someone-else"},
        event("d", article_id, dwell_ms=-1),
        # JSON booleans and numeric strings are not numbers.
        {**event("e", article_id), "dwell_ms": False},
        {**event("f", article_id), "dwell_ms": "40000"},
    ):
        response = await post(client, reader, [bad])
        assert response.status_code == 422, bad


async def test_history_newest_first_and_private(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    older, newer, only_seen = [await factories.create_article(session) for _ in range(3)]
    await post(
        client,
        reader,
        [
            event("1", older, "open", minutes_ago=30),
            event("2", newer, "read", minutes_ago=10),
            event("3", only_seen, "impression", minutes_ago=5),
            event("4", older, "open", minutes_ago=50),
        ],
    )
    history = (await client.get("/v1/me/history", headers=reader.headers)).json()
    assert [item["article"]["id"] for item in history["items"]] == [newer, older]
    assert history["items"][1]["last_read_at"] == (NOW - timedelta(minutes=30)).isoformat().replace(
        "+00:00", "Z"
    )
    assert (await client.get("/v1/me/history", headers=other_reader.headers)).json()["items"] == []


async def test_one_reader_counts_once_per_article_and_signal(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    article_id = await factories.create_article(session)
    spam = [event(f"s{i}", article_id, "like", minutes_ago=i % 50) for i in range(300)]
    await post(client, reader, spam)
    await post(client, reader, [event(f"t{i}", article_id, "like") for i in range(100)])
    await post(
        client, other_reader, [event("o1", article_id, "like"), event("o2", article_id, "open")]
    )
    likes = await session.scalar(
        select(func.sum(ArticleEngagement.likes)).where(ArticleEngagement.article_id == article_id)
    )
    opens = await session.scalar(
        select(func.sum(ArticleEngagement.opens)).where(ArticleEngagement.article_id == article_id)
    )
    assert (likes, opens) == (2, 1)


async def test_engagement_counts_each_new_signal_in_the_utc_hour_it_first_happened(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession, app: FastAPI
) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    article_id = await factories.create_article(session)
    # 10:50 UTC, sent from India: the 10:00 UTC bucket, not one starting at 10:30.
    opened = {**event("a", article_id), "occurred_at": "2026-11-27T16:20:00+05:30"}
    await post(client, reader, [opened, event("b", article_id, "impression", minutes_ago=70)])
    # Opened again (not new to this reader), then read and liked for the first time.
    later = [
        event("c", article_id, "open", minutes_ago=5),
        event("d", article_id, "read", minutes_ago=4),
        event("e", article_id, "like", minutes_ago=3),
        event("f", article_id, "like", minutes_ago=2),
    ]
    assert (await post(client, reader, later)).json()["accepted"] == 4
    rows = await session.execute(
        select(
            ArticleEngagement.bucket_start,
            ArticleEngagement.impressions,
            ArticleEngagement.opens,
            ArticleEngagement.reads,
            ArticleEngagement.likes,
        ).where(ArticleEngagement.article_id == article_id)
    )
    counted = {bucket.astimezone(UTC): tuple(counts) for bucket, *counts in rows}
    # Whole rows by their bucket's start: a bucket opened at 10:30 UTC would be a third row.
    assert counted == {
        NOW.replace(hour=10): (1, 1, 0, 0),
        NOW.replace(hour=11): (0, 0, 1, 1),
    }


async def test_an_id_rejected_for_its_article_may_be_accepted_later_in_the_batch(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession, app: FastAPI
) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    article_id = await factories.create_article(session)
    batch = [event("same", "no-such-article"), event("same", article_id, "read", dwell_ms=5)]
    response = await post(client, reader, batch)
    assert response.json() == {
        "accepted": 1,
        "duplicates": 0,
        "rejected": [{"index": 0, "reason": "unknown article"}],
    }
    state = await session.scalar(
        select(ReaderArticle).where(
            ReaderArticle.user_id == reader.user.id, ReaderArticle.article_id == article_id
        )
    )
    assert state is not None
    assert (state.read_at, state.dwell_ms) == (NOW - timedelta(minutes=1), 5)


async def test_batches_fold_into_one_state_per_article_in_a_fixed_number_of_statements(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    executed: list[str],
) -> None:
    app.dependency_overrides[current_time] = lambda: NOW
    opened, other = await factories.create_article(session), await factories.create_article(session)
    executed.clear()
    small = [event("a1", opened, "open", minutes_ago=30, dwell_ms=1_000)]
    assert (await post(client, reader, small)).json()["accepted"] == 1
    statements_for_one = len(executed)

    executed.clear()
    # Forty events: the open article is read and liked, the other one opened many times.
    large = [
        event("a2", opened, "read", minutes_ago=10, dwell_ms=2_000),
        event("a3", opened, "open", minutes_ago=5),
        event("a4", opened, "like", minutes_ago=4),
        *(event(f"b{i}", other, "open", minutes_ago=20 - i / 10, dwell_ms=10) for i in range(37)),
    ]
    assert (await post(client, reader, large)).json()["accepted"] == 40
    assert len(executed) == statements_for_one

    states = await session.scalars(
        select(ReaderArticle).where(ReaderArticle.user_id == reader.user.id)
    )
    rows = {row.article_id: row for row in states}
    first = rows[opened]
    assert first.opened_at == NOW - timedelta(minutes=30)  # the first open stays
    assert first.read_at == NOW - timedelta(minutes=10)
    assert first.liked_at == NOW - timedelta(minutes=4)
    assert first.last_read_at == NOW - timedelta(minutes=5)
    assert first.dwell_ms == 3_000
    second = rows[other]
    assert second.opened_at == NOW - timedelta(minutes=20)
    assert second.dwell_ms == 370


async def test_the_recording_statement_costs_the_planner_the_same_for_any_batch_size(
    session: AsyncSession,
) -> None:
    """PostgreSQL plans a prepared statement for its first five runs on a connection, then
    reuses one plan unless plans made for the values at hand look cheaper. Had the planner
    seen a batch's size, a batch of one would look cheaper than the shared plan and be
    planned afresh every time, costing the database as much again as recording it."""
    if dialect_name(session) != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    costs = []
    for size in (1, 50):
        batch = [(n, EventIn.model_validate(event(f"e{n}", "a1"))) for n in range(size)]
        parameters = recording.batch_parameters("u1", batch, NOW)
        explained = await session.execute(
            text("EXPLAIN (FORMAT JSON) " + recording.record_statement().text), parameters
        )
        costs.append(explained.scalar_one()[0]["Plan"]["Total Cost"])
    assert costs[0] == costs[1]


async def test_events_need_a_reader(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession
) -> None:
    article_id = await factories.create_article(session)
    batch = [event("a", article_id)]
    assert (await client.post("/v1/me/events", json={"events": batch})).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    refused = await client.post("/v1/me/events", headers=bad, json={"events": batch})
    assert refused.status_code == 401
    assert (await client.delete("/v1/me", headers=reader.headers)).status_code == 204
    # A token of an account that no longer exists records nothing.
    gone = await post(client, reader, batch)
    assert gone.status_code == 401
    assert gone.json()["detail"] == "The access token is invalid."
    assert await session.scalar(select(func.count()).select_from(ReadingEvent)) == 0


# --- Batches recorded before routing ----------------------------------------------------------


async def not_before_routing(request: object, body: bytes) -> None:
    """In place of ``fast_path._events``: every batch goes to the route."""
    return None


async def states_of(session: AsyncSession, account: factories.Account) -> list[tuple[object, ...]]:
    rows = await session.execute(
        select(
            ReaderArticle.article_id,
            ReaderArticle.impressed_at,
            ReaderArticle.opened_at,
            ReaderArticle.read_at,
            ReaderArticle.liked_at,
            ReaderArticle.last_read_at,
            ReaderArticle.dwell_ms,
        )
        .where(ReaderArticle.user_id == account.user.id)
        .order_by(ReaderArticle.article_id)
    )
    return [tuple(row) for row in rows]


async def test_a_batch_in_order_is_recorded_before_routing_as_the_route_records_it(
    client: httpx.AsyncClient,
    reader: factories.Account,
    other_reader: factories.Account,
    editor: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The app's clock, moved as the routes see it: "e5" is ahead of it, not of the real one.
    app.dependency_overrides[current_time] = lambda: NOW
    live, other = await factories.create_article(session), await factories.create_article(session)
    retracted = await factories.create_article(session)
    await client.delete(f"/v1/articles/{retracted}", headers=editor.headers)
    batches = [
        [
            event("e1", live, "impression", minutes_ago=9),
            event("e2", live, "read", minutes_ago=8, dwell_ms=40_000),
            event("e1", live, "impression", minutes_ago=9),
            event("e3", other, "like", minutes_ago=70),
        ],
        [
            event("e2", live, "read", minutes_ago=8, dwell_ms=40_000),
            event("e4", retracted),
            event("e5", live, "open", minutes_ago=-10),
            event("e6", "no-such-article"),
            event("e7", other, "open", minutes_ago=2, dwell_ms=500),
        ],
    ]
    with monkeypatch.context() as routed_only:
        routed_only.setattr(fast_path, "_events", not_before_routing)
        routed = [await post(client, reader, batch) for batch in batches]
    assert [r.json()["accepted"] for r in routed] == [3, 1]

    refuse_routing(app)
    for batch, as_routed in zip(batches, routed, strict=True):
        early = await post(client, other_reader, batch)
        assert early.status_code == as_routed.status_code == 202, early.text
        assert early.json() == as_routed.json()
        assert early.headers["content-type"] == as_routed.headers["content-type"]
    assert await states_of(session, other_reader) == await states_of(session, reader)
    # Each reader's signals count once towards engagement, whichever way they came.
    counted = await session.execute(
        select(func.sum(ArticleEngagement.impressions), func.sum(ArticleEngagement.reads)).where(
            ArticleEngagement.article_id == live
        )
    )
    assert tuple(counted.one()) == (2, 2)


@pytest.mark.parametrize("way", ["routed", "before-routing"])
async def test_only_recorded_articles_are_noted_for_the_feeds_engagement(
    client: httpx.AsyncClient,
    reader: factories.Account,
    editor: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
    way: str,
) -> None:
    """Made-up, retracted and future articles are not noted: a client could otherwise pile up
    ids for this process's next feed read to query."""
    app.dependency_overrides[current_time] = lambda: NOW
    live, ahead = await factories.create_article(session), await factories.create_article(session)
    retracted = await factories.create_article(session)
    await client.delete(f"/v1/articles/{retracted}", headers=editor.headers)
    noted: list[set[str]] = []
    monkeypatch.setattr(
        signals.RecentEngagement, "engaged", lambda _, article_ids: noted.append(set(article_ids))
    )
    if way == "routed":
        monkeypatch.setattr(fast_path, "_events", not_before_routing)
    else:
        refuse_routing(app)
    batch = [
        event("ok", live),
        event("unknown", "made-up-" + "x" * 56),
        event("gone", retracted),
        event("future", ahead, minutes_ago=-6),
    ]
    first = await post(client, reader, batch)
    assert first.status_code == 202, first.text
    assert first.json()["accepted"] == 1
    assert noted == [{live}]
    # A batch with nothing new is not noted at all.
    assert (await post(client, reader, batch)).json()["accepted"] == 0
    assert noted == [{live}]


async def test_batches_not_in_order_go_to_the_route_with_their_body(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    settings: Settings,
) -> None:
    article_id = await factories.create_article(session)
    batch = {"events": [event("a", article_id)]}
    expired = create_access_token(settings, reader.user.id, datetime.now(UTC) - timedelta(days=30))
    _, secret = await factories.create_api_key(session)
    refuse_routing(app)
    routed = [
        await client.post("/v1/me/events", json=batch),
        await client.post("/v1/me/events", headers={"Authorization": "Bearer x"}, json=batch),
        await client.post(
            "/v1/me/events", headers={"Authorization": f"Bearer {expired}"}, json=batch
        ),
        await client.post("/v1/me/events", headers=reader.headers, json={"events": []}),
        await client.post("/v1/me/events", headers=reader.headers, json={**batch, "extra": 1}),
        await client.post(
            "/v1/me/events",
            headers={**reader.headers, "Content-Type": "text/plain"},
            content=json.dumps(batch),
        ),
        await client.post(
            "/v1/me/events", headers={**reader.headers, "X-API-Key": secret}, json=batch
        ),
    ]
    assert [r.json()["detail"] for r in routed] == ["routed"] * len(routed)
    assert await session.scalar(select(func.count()).select_from(ReadingEvent)) == 0

    # The route reads the body these requests sent: what it refuses, it refuses as ever.
    app.dependency_overrides.clear()
    assert (await client.post("/v1/me/events", json=batch)).status_code == 401
    empty = await client.post("/v1/me/events", headers=reader.headers, json={"events": []})
    assert empty.status_code == 422
    assert "events" in empty.text


async def test_a_gone_account_s_batch_goes_to_the_route(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession, app: FastAPI
) -> None:
    article_id = await factories.create_article(session)
    assert (await client.delete("/v1/me", headers=reader.headers)).status_code == 204
    refuse_routing(app)
    routed = await post(client, reader, [event("a", article_id)])
    assert routed.json()["detail"] == "routed"
    assert await session.scalar(select(func.count()).select_from(ReadingEvent)) == 0


async def test_a_batch_the_driver_fails_to_record_goes_to_the_route(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if dialect_name(session) != "postgresql":
        pytest.skip("batches go to the driver itself on PostgreSQL only")
    article_id = await factories.create_article(session)
    attempts: list[str] = []
    record_alone = events_module.record_events_alone

    async def lost_once(*arguments: Any) -> EventsAccepted:
        attempts.append("lost" if not attempts else "recorded")
        if len(attempts) == 1:
            raise asyncpg.InterfaceError("connection lost")
        return await record_alone(*arguments)

    monkeypatch.setattr(events_module, "record_events_alone", lost_once)
    response = await post(client, reader, [event("a", article_id), event("b", article_id)])
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert attempts == ["lost", "recorded"]  # before routing, then by the route
    assert await session.scalar(select(func.count()).select_from(ReadingEvent)) == 2


async def test_events_are_stored_exactly_as_sent(
    client: httpx.AsyncClient, reader: factories.Account, session: AsyncSession, app: FastAPI
) -> None:
    """Ids holding what text and array formats treat apart, times in far-apart zones, and
    dwell given or not: each stored as it was sent (times as the same instants)."""
    app.dependency_overrides[current_time] = lambda: NOW
    article_id = await factories.create_article(session)
    ids = ["a,b", "{c}", '"d"', "e\\f", "NULL", "null", "g h", "ünï", "h\ti", "j\nk"]
    zones = [timezone(timedelta(hours=h, minutes=m)) for h, m in [(14, 0), (-12, 0), (5, 45)]]
    sent = {
        event_id: (
            (NOW - timedelta(minutes=n)).astimezone(zones[n % len(zones)]).isoformat(),
            n * 1000 if n % 2 else None,
        )
        for n, event_id in enumerate(ids)
    }
    batch: list[dict[str, object]] = [
        {"id": i, "type": "open", "article_id": article_id, "occurred_at": at}
        | ({"dwell_ms": dwell} if dwell is not None else {})
        for i, (at, dwell) in sent.items()
    ]
    response = await post(client, reader, batch)
    assert response.json() == {"accepted": len(ids), "duplicates": 0, "rejected": []}
    lone = await post(client, reader, [event("lone", article_id)])
    assert lone.json()["accepted"] == 1

    rows = await session.execute(
        select(ReadingEvent.client_event_id, ReadingEvent.occurred_at, ReadingEvent.dwell_ms)
    )
    stored = {event_id: (at, dwell) for event_id, at, dwell in rows}
    expected = {i: (datetime.fromisoformat(at), dwell) for i, (at, dwell) in sent.items()}
    expected["lone"] = (NOW - timedelta(minutes=1), None)
    assert stored == expected


@pytest.mark.parametrize("hours", [14, -12, 5.75, 0])
async def test_the_future_limit_is_the_same_instant_in_every_zone(
    client: httpx.AsyncClient,
    reader: factories.Account,
    session: AsyncSession,
    app: FastAPI,
    hours: float,
) -> None:
    """Exactly 5 minutes ahead is accepted and a microsecond more is not, whatever the
    offset the client writes its times in."""
    app.dependency_overrides[current_time] = lambda: NOW
    article_id = await factories.create_article(session)
    zone = timezone(timedelta(hours=hours))
    limit = (NOW + timedelta(minutes=5)).astimezone(zone)
    batch: list[dict[str, object]] = [
        {"id": f"{name}-{hours}", "type": "open", "article_id": article_id, "occurred_at": at}
        for name, at in [
            ("at", limit.isoformat()),
            ("past", (limit + timedelta(microseconds=1)).isoformat()),
            ("before", (limit - timedelta(microseconds=1)).isoformat()),
        ]
    ]
    response = await post(client, reader, batch)
    assert response.json()["accepted"] == 2
    assert [r["index"] for r in response.json()["rejected"]] == [1]
