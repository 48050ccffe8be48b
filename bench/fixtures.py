"""Request lists for the Lua scripts: tokens, slugs, cursors, ETags, CMS batch items."""

# Seeded pseudo-random numbers on purpose: the same seed makes the same corpus.
# ruff: noqa: S311

from __future__ import annotations

import asyncio
import json
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from server import Server
from words import SECTIONS, Phrases

TOKEN_SAMPLE = 2_000
CURSOR_SAMPLE = 200
ETAG_SAMPLE = 400
RECENT_ARTICLES = 5_000
BATCH_TEMPLATES = 200


@dataclass
class Fixtures:
    directory: Path
    feeds_key: str
    writer_key: str
    host: str
    nonce: str
    occurred_at: str
    counts: dict[str, int] = field(default_factory=dict)


async def make_fixtures(url: str, secret: str, directory: Path, seed: int, host: str) -> Fixtures:
    """Tokens for a sample of readers, topic slugs, recent articles, API keys and the CMS
    batch items, written where the Lua scripts read them."""
    from sqlalchemy import text

    from app.api_keys.service import create_key
    from app.auth.security import create_access_token
    from app.config import Settings
    from app.db import Database
    from app.models import Scope

    # Minted with the server's key; a long lifetime so that a long run never sees one expire.
    settings = Settings(
        database_url=url, secret_key=secret, env="development", access_token_ttl_seconds=8 * 3600
    )
    database = Database.from_settings(settings, pooled=False)
    rng = random.Random(f"{seed}:fixtures")
    now = datetime.now(UTC)
    try:
        async with database.sessionmaker() as session, session.begin():
            readers = list((await session.scalars(text("SELECT id FROM users ORDER BY id"))).all())
            topics = (
                await session.execute(text("SELECT slug, name, article_count FROM topics"))
            ).all()
            authors = (await session.execute(text("SELECT name, article_count FROM authors"))).all()
            recent = list(
                (
                    await session.scalars(
                        text(
                            "SELECT id FROM articles WHERE retracted_at IS NULL "
                            "ORDER BY published_at DESC LIMIT :n"
                        ),
                        {"n": RECENT_ARTICLES},
                    )
                ).all()
            )
            _, feeds_key = await create_key(
                session,
                name="bench feeds",
                scopes=[Scope.FEEDS_READ],
                rate_limit_per_minute=100_000,
            )
            _, writer_key = await create_key(
                session,
                name="bench cms",
                scopes=[Scope.ARTICLES_WRITE],
                rate_limit_per_minute=100_000,
            )
    finally:
        await database.engine.dispose()

    sample = rng.sample(readers, min(TOKEN_SAMPLE, len(readers)))
    tokens = [create_access_token(settings, user_id, now) for user_id in sample]
    slugs = [slug for slug, _, _ in topics]
    rng.shuffle(slugs)
    rng.shuffle(recent)
    (directory / "tokens.txt").write_text("\n".join(tokens) + "\n")
    (directory / "topics.txt").write_text("\n".join(slugs) + "\n")
    (directory / "articles.txt").write_text("\n".join(recent) + "\n")
    (directory / "batch_items.txt").write_text(
        "\n".join(_batch_items(rng, topics, authors, now)) + "\n"
    )
    return Fixtures(
        directory=directory,
        feeds_key=feeds_key,
        writer_key=writer_key,
        host=host,
        nonce=f"{secrets.token_hex(4)}",
        occurred_at=(now - timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
        counts={"tokens": len(tokens), "topics": len(slugs), "recent_articles": len(recent)},
    )


def _batch_items(
    rng: random.Random, topics: Sequence[Any], authors: Sequence[Any], now: datetime
) -> list[str]:
    """Articles as a CMS sends them, filed under existing topics (big ones most often)."""
    phrases = Phrases(rng)
    topic_names = [name for _, name, _ in topics]
    topic_weights = [count + 1 for _, _, count in topics]
    author_names = [name for name, _ in authors]
    author_weights = [count + 1 for _, count in authors]
    published = (now - timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    items = []
    for _ in range(BATCH_TEMPLATES):
        body, _ = phrases.body(rng, int(rng.triangular(60, 600, 120)))
        topics_of = list(
            dict.fromkeys(rng.choices(topic_names, topic_weights, k=rng.choice((1, 1, 2, 2, 3))))
        )
        item = {
            "external_id": "bench-ingest-__UID__",
            "url": "https://news.bench.mynews.dev/ingest/__UID__",
            "headline": phrases.headline(rng),
            "standfirst": rng.choice(phrases.long),
            "summary": rng.choices(phrases.medium, k=2),
            "body": body,
            "section": rng.choice(SECTIONS),
            "topics": topics_of,
            "authors": list(dict.fromkeys(rng.choices(author_names, author_weights, k=1))),
            "image": {"url": "https://img.bench.mynews.dev/__UID__.jpg", "caption": "A photo."},
            "language": "en",
            "region": "GB",
            "published_at": published,
        }
        items.append(json.dumps(item, separators=(",", ":")))
    return items


async def _collect(
    base: str, paths: list[tuple[str, dict[str, str]]], concurrency: int = 8
) -> list[Any]:
    import httpx

    results: list[Any] = [None] * len(paths)
    queue = list(enumerate(paths))
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def worker() -> None:
            while queue:
                index, (path, headers) = queue.pop()
                results[index] = await client.get(path, headers=headers)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


def collect_cursors(server: Server, fixtures: Fixtures) -> int:
    """First pages for a sample of readers; their cursors are the next-page requests."""
    tokens = (fixtures.directory / "tokens.txt").read_text().split()[:CURSOR_SAMPLE]
    responses = asyncio.run(
        _collect(server.base, [("/v1/me/feed", {"Authorization": f"Bearer {t}"}) for t in tokens])
    )
    lines = [
        f"{token}\t{response.json()['next_cursor']}"
        for token, response in zip(tokens, responses, strict=True)
        if response.status_code == 200 and response.json()["next_cursor"]
    ]
    (fixtures.directory / "cursors.txt").write_text("\n".join(lines) + "\n")
    return len(lines)


def collect_etags(server: Server, fixtures: Fixtures) -> int:
    """Each sampled topic feed's current ETag, as a poller holding a copy would send it."""
    slugs = (fixtures.directory / "topics.txt").read_text().split()[:ETAG_SAMPLE]
    headers = {"X-API-Key": fixtures.feeds_key, "Accept-Encoding": "gzip"}
    responses = asyncio.run(
        _collect(server.base, [(f"/v1/topics/{slug}/feed.rss", headers) for slug in slugs])
    )
    lines = [
        f"{slug}\t{response.headers['etag']}"
        for slug, response in zip(slugs, responses, strict=True)
        if response.status_code == 200
    ]
    (fixtures.directory / "etags.txt").write_text("\n".join(lines) + "\n")
    return len(lines)
