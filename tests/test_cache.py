"""The byte cache: bounded by bytes in process, and bodies kept gzip-coded."""

import gzip

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
