"""Twenty readers writing at once to a real API process on one SQLite file.

SQLite allows one writer at a time; the API must queue its writers (BEGIN IMMEDIATE and a
busy timeout) rather than fail one with "database is locked".
"""

import asyncio
import json
import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.auth.security import create_access_token, hash_password
from app.config import Settings
from app.db import Database
from app.models import Role, User
from tests.conftest import TEST_SECRET_KEY
from tests.faults.conftest import StartApi
from tests.faults.harness import api_env, client_for, run_cli

# Brings its own servers and databases: run once per test run, not once per test database.
pytestmark = pytest.mark.standalone


READERS = 20
ROUNDS = 6
EVENTS_PER_BATCH = 25
LOCKED = "database is locked"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A migrated SQLite file with the demo newsroom in it."""
    path = tmp_path / "x.db"
    env = api_env(f"sqlite+aiosqlite:///{path}")
    run_cli(env, "migrate")
    run_cli(env, "seed-demo")
    return path


def database_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def create_readers(path: Path) -> list[dict[str, str]]:
    """READERS reader accounts, and a bearer token for each.

    Made in-process with one password hash: signing up through the API would spend ~10 s
    on argon2, and the point here is their concurrent writes, not their logins.
    """
    settings = Settings(env="test", database_url=database_url(path), secret_key=TEST_SECRET_KEY)
    database = Database.from_settings(settings, pooled=False)
    password_hash = hash_password(uuid.uuid4().hex)
    users = [
        User(email=f"concurrent-{n}@example.com", password_hash=password_hash, role=Role.READER)
        for n in range(READERS)
    ]
    try:
        async with database.sessionmaker() as session, session.begin():
            session.add_all(users)
    finally:
        await database.engine.dispose()
    now = datetime.now(UTC)
    return [
        {"Authorization": f"Bearer {create_access_token(settings, user.id, now)}"} for user in users
    ]


def assert_served(response: httpx.Response, status: int) -> None:
    assert LOCKED not in response.text
    assert response.status_code == status, (response.status_code, response.text)


def stored_subscriptions(database: Path, slug: str) -> int:
    with closing(sqlite3.connect(database)) as connection:
        [(count,)] = connection.execute(
            "SELECT count(*) FROM topic_subscriptions AS s JOIN topics AS t ON t.id = s.topic_id"
            " WHERE t.slug = ?",
            (slug,),
        ).fetchall()
    return int(count)


def stored_events(database: Path, event_ids: list[str]) -> int:
    with closing(sqlite3.connect(database)) as connection:
        [(count,)] = connection.execute(
            "SELECT count(*) FROM reading_events"
            " WHERE client_event_id IN (SELECT value FROM json_each(?))",
            (json.dumps(event_ids),),
        ).fetchall()
    return int(count)


def event_batch(article_ids: list[str], event_ids: list[str]) -> dict[str, object]:
    occurred_at = datetime.now(UTC).isoformat()
    kinds = ("impression", "open", "read", "like")
    return {
        "events": [
            {
                "id": event_id,
                "type": kinds[n % len(kinds)],
                "article_id": article_ids[n % len(article_ids)],
                "occurred_at": occurred_at,
            }
            for n, event_id in enumerate(event_ids)
        ]
    }


async def test_twenty_concurrent_writers_never_see_database_is_locked(
    database: Path, start_api: StartApi
) -> None:
    readers = await create_readers(database)
    server = start_api(api_env(database_url(database), secret_key=TEST_SECRET_KEY))
    await server.wait_until_live()

    async with client_for(server) as client:
        topic = (await client.get("/v1/topics", params={"limit": 1})).json()["items"][0]
        slug = topic["slug"]
        path = f"/v1/me/subscriptions/topics/{slug}"
        assert topic["follower_count"] == 0
        listed = await client.get("/v1/articles", params={"limit": 10})
        article_ids = [item["id"] for item in listed.json()["items"]]

        following: set[int] = set()
        recorded: list[str] = []
        for round_number in range(ROUNDS):
            calls, expected, batches = [], [], {}
            for reader, headers in enumerate(readers):
                action = (reader + round_number) % 3
                if action == 0:
                    ids = [uuid.uuid4().hex for _ in range(EVENTS_PER_BATCH)]
                    batches[reader] = ids
                    body = event_batch(article_ids, ids)
                    calls.append(client.post("/v1/me/events", json=body, headers=headers))
                    expected.append(202)
                elif action == 1:
                    following.add(reader)
                    calls.append(client.put(path, headers=headers))
                    expected.append(204)
                else:
                    following.discard(reader)
                    calls.append(client.delete(path, headers=headers))
                    expected.append(204)
            responses = await asyncio.gather(*calls)

            for reader, (response, status) in enumerate(zip(responses, expected, strict=True)):
                assert_served(response, status)
                if reader in batches:
                    assert response.json()["accepted"] == EVENTS_PER_BATCH
                    recorded += batches[reader]
            shown = (await client.get(f"/v1/topics/{slug}")).json()["follower_count"]
            assert shown == len(following) == stored_subscriptions(database, slug), round_number

    assert following, "no reader ended up following: the rounds exercised too little"
    assert stored_events(database, recorded) == len(recorded)
    log = server.log()
    assert LOCKED not in log
    assert "Traceback" not in log
    assert '" 500 ' not in log
