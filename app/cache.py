"""A small byte cache: in this process, and in Redis when configured (shared by every process).

Keys name values that never change once made: a feed under its topic's feed revision, a
minute's trending list. So a copy this process keeps is as good as Redis's: a worker asks Redis
only for what it has not kept itself, and what one worker made, the others take from Redis
instead of making it again.

Redis trouble never fails a request: the cache carries on in this process's memory for a
while and says so in the log.
"""

import gzip
import logging
import time
from collections.abc import Awaitable, Callable

from cachetools import TTLCache
from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After a Redis failure, stay on the local fallback this long before trying Redis again.
REDIS_RETRY_AFTER_SECONDS = 30.0
REDIS_TIMEOUT_SECONDS = 0.25


def redis_client(url: str) -> "Redis":
    """A Redis client with short timeouts: a slow Redis must not slow the API."""
    return Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )


# Compressed once and served many times: the usual balance of size and time.
GZIP_LEVEL = 6


class Cache:
    """Bytes by key for ``ttl_seconds``: at most ``max_bytes`` of them in process, all of them in
    Redis when there is one."""

    def __init__(self, redis_url: str | None, *, max_bytes: int, ttl_seconds: int = 300):
        self.ttl_seconds = ttl_seconds
        self.local: TTLCache[str, bytes] = TTLCache(
            maxsize=max_bytes, ttl=ttl_seconds, getsizeof=len
        )
        self.redis = redis_client(redis_url) if redis_url else None
        self._redis_down_until = 0.0

    def _usable_redis(self) -> "Redis | None":
        if self.redis is None or time.monotonic() < self._redis_down_until:
            return None
        return self.redis

    def _redis_failed(self, error: Exception) -> None:
        self._redis_down_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS
        logger.warning("Redis cache unavailable (%r); using the in-process cache for now", error)

    def _keep(self, key: str, value: bytes) -> None:
        if len(value) <= self.local.maxsize:
            self.local[key] = value

    async def get(self, key: str) -> bytes | None:
        kept = self.local.get(key)
        if kept is not None:
            return kept
        if redis := self._usable_redis():
            try:
                value = await redis.get(key)
            except (RedisError, OSError) as error:
                self._redis_failed(error)
                return None
            if value is not None:
                kept = value.encode() if isinstance(value, str) else value
                self._keep(key, kept)
        return kept

    async def set(self, key: str, value: bytes) -> None:
        self._keep(key, value)
        if redis := self._usable_redis():
            try:
                await redis.set(key, value, ex=self.ttl_seconds)
            except (RedisError, OSError) as error:
                self._redis_failed(error)

    async def gzipped(self, key: str, produce: Callable[[], Awaitable[bytes]]) -> bytes:
        """The gzip coding of what ``produce`` makes, made and compressed once while kept.

        Kept compressed only: a client that cannot take gzip gets it decoded (a fraction of a
        millisecond), and the cache holds several times as many bodies.
        """
        packed = await self.get(key)
        if packed is None:
            packed = gzip.compress(await produce(), compresslevel=GZIP_LEVEL, mtime=0)
            await self.set(key, packed)
        return packed

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
