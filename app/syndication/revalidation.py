"""Partners' revalidations of topic feeds, answered before routing.

A partner polls every topic it carries, again and again, and nearly every poll ends in 304.
Such a poll is answered here when everything it needs is already in this worker's memory: a
key this worker verified lately that may read feeds, and a topic whose feed version it read
lately. The checks are the routes' own (``app.syndication.router``, ``app.auth``,
``app.ratelimit``); only FastAPI's routing and dependency resolution are skipped, which is
most of what a 304 costs. Anything else (no validator, one that no longer matches, a key or
topic not in memory, a parameter the route would refuse) goes on to the routes untouched and
is answered there in full.

This middleware sits inside every other, so a 304 from here carries the same security, rate
limit, CORS and metrics treatment as one from the route.
"""

import re
from dataclasses import dataclass

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.dependencies import presented_key, recently_verified_key
from app.conditional import matching_etag, not_modified
from app.models import Scope as KeyScope
from app.pagination import MAX_LIMIT
from app.ratelimit import RateLimiter, over_limit
from app.syndication.router import (
    DEFAULT_FEED_LIMIT,
    LIMIT_BOUND,
    SLUG_MAX_LENGTH,
    feed_etag,
    validator_headers,
    xml_variant,
)
from app.syndication.topics import feed_topics

FEED_PATH = re.compile(r"/v1/topics/(?P<slug>[^/]+)/feed(?P<suffix>\.rss|\.atom|\.json)")


@dataclass(frozen=True)
class RouteTemplate:
    """The route a request answered here stands for (metrics label requests by it)."""

    path: str


ROUTES = {
    suffix: RouteTemplate(f"/v1/topics/{{slug}}/feed{suffix}")
    for suffix in (".rss", ".atom", ".json")
}


def _limit(request: Request) -> int | None:
    """The feed size asked for, as the route reads it; None when the route would refuse it."""
    given = request.query_params.getlist("limit")
    if not given:
        return DEFAULT_FEED_LIMIT
    if len(given) > 1 or not given[0].isdigit() or not 1 <= int(given[0]) <= LIMIT_BOUND:
        return None
    return min(int(given[0]), MAX_LIMIT)


class FeedRevalidationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            found = FEED_PATH.fullmatch(scope["path"])
            if found is not None and await self._answered(scope, receive, send, found):
                return
        await self.app(scope, receive, send)

    async def _answered(
        self, scope: Scope, receive: Receive, send: Send, found: re.Match[str]
    ) -> bool:
        """Answer the request if it is a revalidation this worker can decide alone."""
        request = Request(scope)
        if "if-none-match" not in request.headers:
            return False
        slug, suffix = found["slug"], found["suffix"]
        limit = _limit(request)
        secret = presented_key(request)
        if limit is None or secret is None or len(slug) > SLUG_MAX_LENGTH:
            return False
        api_key = recently_verified_key(request, secret)
        topic = feed_topics(request).known(slug)
        if api_key is None or KeyScope.FEEDS_READ.value not in api_key.scopes or topic is None:
            return False
        etag = feed_etag(topic, xml_variant(suffix, limit, str(request.base_url).rstrip("/")))
        if matching_etag(request, etag) is None:
            return False
        scope["route"] = ROUTES[suffix]
        response = not_modified(request, etag, validator_headers(etag, topic), body_size=None)
        if request.app.state.settings.rate_limits_enabled:
            limiter: RateLimiter = request.app.state.rate_limiter
            verdict = await limiter.hit_key(api_key)
            request.state.rate_limit = verdict
            if not verdict.allowed:
                response = over_limit(verdict).response()
        await response(scope, receive, send)
        return True
