"""Rate limits: per API key, per user, per client IP for anonymous calls, and for logins.

Counters live in Redis when ``MYNEWS_REDIS_URL`` is set, so every API process shares one
limit; otherwise in this process. If Redis stops answering the API keeps serving, counting
in-process until Redis is back (fail open), and logs it.

Every limited response carries ``RateLimit-Policy`` / ``RateLimit`` (IETF httpapi draft) and
``X-RateLimit-Limit`` / ``-Remaining`` / ``-Reset``; over the limit is 429 with ``Retry-After``.
"""

import logging
import math
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from redis.exceptions import RedisError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.dependencies import (
    api_key_of,
    bearer_user_id,
    presented_key,
    recently_verified_key,
)
from app.cache import REDIS_RETRY_AFTER_SECONDS, REDIS_TIMEOUT_SECONDS
from app.config import Settings, SettingsDep
from app.errors import TooManyRequests, handle_http_exception, handle_validation_error
from app.models import ApiKey

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # epoch seconds

    def headers(self) -> dict[str, str]:
        reset_after = max(0, math.ceil(self.reset_at - time.time()))
        headers = {
            "RateLimit-Policy": f"{self.limit};w={WINDOW_SECONDS}",
            "RateLimit": f"limit={self.limit}, remaining={self.remaining}, reset={reset_after}",
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, reset_after))
        return headers


class RateLimiter:
    """Fixed one-minute windows, shared through Redis when there is one."""

    def __init__(self, redis_url: str | None) -> None:
        self.local = FixedWindowRateLimiter(MemoryStorage())
        self.shared = None
        if redis_url:
            storage = RedisStorage(
                "async+" + redis_url,
                implementation="redispy",
                wrap_exceptions=True,
                key_prefix="mynews-ratelimit",
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            self.shared = FixedWindowRateLimiter(storage)
        self._shared_down_until = 0.0

    async def hit(self, scope: str, identity: str, per_minute: int) -> Verdict:
        """Count one request against ``scope``/``identity``'s per-minute allowance."""
        item = RateLimitItemPerMinute(per_minute)
        if self.shared is not None and time.monotonic() >= self._shared_down_until:
            try:
                return await self._hit(self.shared, item, scope, identity)
            except (StorageError, RedisError, OSError) as error:
                self._shared_down_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS
                logger.warning(
                    "Redis unavailable for rate limits (%r); counting in-process for %.0f s",
                    error,
                    REDIS_RETRY_AFTER_SECONDS,
                )
        return await self._hit(self.local, item, scope, identity)

    async def hit_key(self, api_key: ApiKey) -> Verdict:
        """Count one request against the key's own allowance."""
        return await self.hit("key", api_key.id, api_key.rate_limit_per_minute)

    @staticmethod
    async def _hit(
        limiter: FixedWindowRateLimiter, item: RateLimitItemPerMinute, scope: str, identity: str
    ) -> Verdict:
        allowed = await limiter.hit(item, scope, identity)
        stats = await limiter.get_window_stats(item, scope, identity)
        return Verdict(allowed, item.amount, stats.remaining, stats.reset_time)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def over_limit(verdict: Verdict) -> TooManyRequests:
    """The error answering a request its verdict does not allow."""
    return TooManyRequests(
        "Too many requests; slow down and retry after the Retry-After delay.",
        headers=verdict.headers(),
    )


def _record(request: Request, verdict: Verdict) -> None:
    request.state.rate_limit = verdict
    if not verdict.allowed:
        raise over_limit(verdict)


async def enforce_rate_limit(
    request: Request,
    settings: SettingsDep,
    api_key: Annotated[ApiKey | None, Depends(api_key_of)],
) -> None:
    """Count the request against its caller: API key, else user, else client IP."""
    if settings.rate_limits_enabled:
        _record(request, await _hit_caller(request, settings, api_key))


async def _hit_caller(request: Request, settings: Settings, api_key: ApiKey | None) -> Verdict:
    limiter: RateLimiter = request.app.state.rate_limiter
    if api_key is not None:
        return await limiter.hit_key(api_key)
    if (user_id := bearer_user_id(request, settings)) is not None:
        return await limiter.hit("user", user_id, settings.rate_limit_user_per_minute)
    return await limiter.hit("ip", client_ip(request), settings.rate_limit_anonymous_per_minute)


async def limit_unrouted(request: Request, api_key: ApiKey | None) -> Response | None:
    """``enforce_rate_limit`` for a request answered before routing (``api_key``: the live key
    it presents, if any): the 429 to answer instead, when it is over its limit."""
    settings: Settings = request.app.state.settings
    if not settings.rate_limits_enabled:
        return None
    verdict = await _hit_caller(request, settings, api_key)
    request.state.rate_limit = verdict
    return None if verdict.allowed else over_limit(verdict).response()


async def count_refused(request: Request) -> Response | None:
    """Count a request refused before any route counted it, if none did: the 429 to answer
    instead, when its caller is over the limit. A key not verified lately is not looked up:
    its caller counts as the client's address."""
    if getattr(request.state, "rate_limit", None) is not None:
        return None
    secret = presented_key(request)
    api_key = recently_verified_key(request, secret) if secret else None
    return await limit_unrouted(request, api_key)


async def counted_validation_error(request: Request, error: RequestValidationError) -> Response:
    """The 422 of a request its route refused before counting it (a body that is not JSON is
    refused before any dependency runs), counted against its caller all the same: over the
    limit, the 429 instead."""
    return await count_refused(request) or await handle_validation_error(request, error)


async def counted_http_exception(request: Request, error: StarletteHTTPException) -> Response:
    """An HTTP error raised before any route counted the request (no route at the path: 404;
    none for the method: 405; a body found too large as it streams in: 413), counted against
    its caller all the same, so that unknown paths cost a client what known ones do: over
    the limit, the 429 instead."""
    return await count_refused(request) or await handle_http_exception(request, error)


async def enforce_login_limit(request: Request, settings: Settings, username: str) -> None:
    """Brute-force guard on logins: per client IP and per account, tighter than the rest."""
    if not settings.rate_limits_enabled:
        return
    limiter: RateLimiter = request.app.state.rate_limiter
    by_ip = await limiter.hit("login-ip", client_ip(request), settings.login_rate_limit_per_ip)
    by_account = await limiter.hit(
        "login-account", username.strip().lower(), settings.login_rate_limit_per_account
    )
    verdicts = sorted((by_ip, by_account), key=lambda v: (v.allowed, v.remaining))
    _record(request, verdicts[0])


class RateLimitHeadersMiddleware:
    """Adds the rate-limit headers of the request's verdict to whatever response it gets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                verdict = scope.get("state", {}).get("rate_limit")
                if verdict is not None:
                    headers = MutableHeaders(scope=message)
                    for name, value in verdict.headers().items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
