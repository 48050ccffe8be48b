"""Partner feed requests answered from this worker's memory, before routing.

A partner polls every topic it carries, again and again: nearly every poll ends in 304, and
most of the others get a feed some worker has already made. Such a poll is answered here
when everything it needs is in memory: a key this worker verified lately that may read
feeds, a topic whose feed version it read lately, and, for a 200, the feed as kept (in this
process, or in Redis). The checks and the response are the routes' own
(``app.syndication.router.feed_response``, ``app.auth``, ``app.ratelimit``); only FastAPI's
routing and dependency resolution are skipped, which is most of what such a poll costs.
Anything else (a key or topic not in memory, a feed not kept, a parameter the route would
refuse) goes on to the routes untouched and is answered there in full.

This middleware sits inside every other, so a response from here gets the same security,
rate-limit, CORS and metrics treatment as one from the route.
"""

import re
from dataclasses import dataclass

from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.dependencies import presented_key, recently_verified_key
from app.models import Scope as KeyScope
from app.pagination import MAX_LIMIT
from app.ratelimit import RateLimiter, over_limit
from app.syndication.router import (
    DEFAULT_FEED_LIMIT,
    FORMATS,
    LIMIT_BOUND,
    SLUG_MAX_LENGTH,
    feed_response,
    xml_variant,
)
from app.syndication.topics import feed_topics

FEED_PATH = re.compile(r"/v1/topics/(?P<slug>[^/]+)/feed(?P<suffix>\.rss|\.atom|\.json)")


@dataclass(frozen=True)
class RouteTemplate:
    """The route a request answered here stands for (metrics label requests by it)."""

    path: str


ROUTES = {suffix: RouteTemplate(f"/v1/topics/{{slug}}/feed{suffix}") for suffix in FORMATS}


def _limit(request: Request) -> int | None:
    """The feed size asked for, as the route reads it; None when the route would refuse it."""
    given = request.query_params.getlist("limit")
    if not given:
        return DEFAULT_FEED_LIMIT
    if len(given) > 1 or not given[0].isdigit() or not 1 <= int(given[0]) <= LIMIT_BOUND:
        return None
    return min(int(given[0]), MAX_LIMIT)


class FeedFastPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            found = FEED_PATH.fullmatch(scope["path"])
            if found is not None:
                response = await _from_memory(Request(scope), found["slug"], found["suffix"])
                if response is not None:
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


async def _from_memory(request: Request, slug: str, suffix: str) -> Response | None:
    """The response to a feed request, if this worker can answer it from memory alone."""
    limit = _limit(request)
    secret = presented_key(request)
    if limit is None or secret is None or len(slug) > SLUG_MAX_LENGTH:
        return None
    api_key = recently_verified_key(request, secret)
    topic = feed_topics(request).known(slug)
    if api_key is None or KeyScope.FEEDS_READ.value not in api_key.scopes or topic is None:
        return None
    variant = xml_variant(suffix, limit, str(request.base_url).rstrip("/"))
    response = await feed_response(request, topic, variant, FORMATS[suffix].media_type, None)
    if response is None:
        return None
    request.scope["route"] = ROUTES[suffix]
    if request.app.state.settings.rate_limits_enabled:
        limiter: RateLimiter = request.app.state.rate_limiter
        verdict = await limiter.hit_key(api_key)
        request.state.rate_limit = verdict
        if not verdict.allowed:
            return over_limit(verdict).response()
    return response
