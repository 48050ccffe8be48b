"""The byte cache: bounded by bytes in process, shared through Redis, bodies kept gzip-coded."""

import gzip
import secrets

import pytest
from redis.exceptions import RedisError

from app.cache import Cache


async def test_in_process_cache_holds_at_most_its_bytes() -> None:
    cache = Cache(None, max_bytes=1_000)
    for n in range(10):
        await cache.set(f"key-{n}", bytes([n]) * 300)
    kept = [await cache.get(f"key-{n}") for n in range(10)]
    assert sum(len(value) for value in kept if value is not None) <= 1_000
    # The newest survive; the oldest made room for them.
    assert kept[-1] == bytes([9]) * 300
    assert kept[0] is None

    await cache.set("too-large", b"x" * 1_001)
    assert await cache.get("too-large") is None
    assert await cache.get("key-9") == bytes([9]) * 300


async def test_a_body_is_made_and_compressed_once_while_kept() -> None:
    cache = Cache(None, max_bytes=1_000_000)
    made: list[bytes] = []

    async def produce() -> bytes:
        body = b"<rss>" + b"story " * 500 + b"</rss>"
        made.append(body)
        return body

    first = await cache.gzipped("feed", produce)
    again = await cache.gzipped("feed", produce)
    assert first == again
    assert len(made) == 1
    assert gzip.decompress(first) == made[0]
    assert len(first) < len(made[0]) / 10


LOCAL_REDIS_URL = "redis://127.0.0.1:6379/14"


async def test_without_redis_reachable_the_cache_carries_on_in_process() -> None:
    cache = Cache("redis://127.0.0.1:1/0", max_bytes=1_000)
    await cache.set("feed", b"body")
    assert await cache.get("feed") == b"body"
    await cache.close()


async def test_what_one_worker_made_another_takes_from_redis_and_then_keeps() -> None:
    workers = [Cache(LOCAL_REDIS_URL, max_bytes=1_000_000) for _ in range(2)]
    assert workers[0].redis is not None
    try:
        await workers[0].redis.ping()
    except (RedisError, OSError) as error:
        pytest.skip(f"no Redis answers at {LOCAL_REDIS_URL}: {error!r}")
    key = f"mynews:test-cache:{secrets.token_hex(8)}"
    made: list[int] = []

    async def produce() -> bytes:
        made.append(1)
        return b"<rss>" + b"story " * 100 + b"</rss>"

    try:
        first = await workers[0].gzipped(key, produce)
        assert await workers[1].gzipped(key, produce) == first
        assert len(made) == 1
        # Values never change under their key: the copy the second worker kept serves it
        # without asking Redis again.
        await workers[0].redis.delete(key)
        assert await workers[1].get(key) == first
        assert await workers[0].get(key) == first
    finally:
        await workers[0].redis.delete(key)
        for worker in workers:
            await worker.close()
