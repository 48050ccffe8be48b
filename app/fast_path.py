"""Topic reads answered from this worker's memory, before routing.

Partners poll every topic they carry, again and again, and apps list a topic's newest
articles: nearly every such request ends in a 304 or in a page or feed some worker has
already made for the topic's current version. Such a request is answered here when
everything it needs is in memory: the topic's feed version, read lately by this worker; the
key it presents, verified lately by this worker; and, unless it is a 304, the page or feed as
kept (in this process, or in Redis). The checks and the responses are the routes' own
(``app.syndication.router.feed_response``, ``app.articles.router.topic_page_response``,
``app.auth``, ``app.ratelimit``); only FastAPI's routing and dependency resolution are
skipped, which is most of what such a request costs. Anything else (a key or topic not in
memory, nothing kept, a parameter the route would refuse or read otherwise) goes on to the
routes untouched and is answered there in full.

This middleware sits inside every other, so a response from here gets the same security,
rate-limit, CORS and metrics treatment as one from the route.
"""

import re
from dataclasses import dataclass

from fastapi import Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.articles import router as articles
from app.auth.dependencies import presented_key, recently_verified_key
from app.cache import Cache
from app.models import ApiKey
from app.models import Scope as KeyScope
from app.pagination import DEFAULT_LIMIT, limit_asked
from app.ratelimit import limit_unrouted
from app.slugs import SLUG_PATTERN
from app.syndication import router as feeds
from app.syndication.topics import feed_topics

FEED_PATH = re.compile(r"/v1/topics/(?P<slug>[^/]+)/feed(?P<suffix>\.rss|\.atom|\.json)")
ARTICLES_PATH = "/v1/articles"
# The query parameters of a topic's first page; any other goes to the route.
TOPIC_PAGE_PARAMETERS = {"topic", "limit", "key"}


@dataclass(frozen=True)
class RouteTemplate:
    """The route a request answered here stands for (metrics label requests by it)."""

    path: str


FEED_ROUTES = {
    suffix: RouteTemplate(f"/v1/topics/{{slug}}/feed{suffix}") for suffix in feeds.FORMATS
}
ARTICLES_ROUTE = RouteTemplate(ARTICLES_PATH)


class TopicFastPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            response = None
            if scope["path"] == ARTICLES_PATH:
                response = await _topic_page(Request(scope))
            elif (found := FEED_PATH.fullmatch(scope["path"])) is not None:
                response = await _feed(Request(scope), found["slug"], found["suffix"])
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _key_in_memory(request: Request) -> tuple[str | None, ApiKey | None]:
    """The key secret the request sends, if any, and its key if this worker verified it lately."""
    secret = presented_key(request)
    return secret, recently_verified_key(request, secret) if secret else None


async def _answer(
    request: Request, route: RouteTemplate, api_key: ApiKey | None, response: Response
) -> Response:
    request.scope["route"] = route
    return await limit_unrouted(request, api_key) or response


async def _feed(request: Request, slug: str, suffix: str) -> Response | None:
    """A partner feed or its 304, if this worker can answer from memory alone."""
    limit = limit_asked(request.query_params.getlist("limit"), feeds.DEFAULT_FEED_LIMIT)
    _, api_key = _key_in_memory(request)
    if limit is None or api_key is None or len(slug) > feeds.SLUG_MAX_LENGTH:
        return None
    topic = feed_topics(request).known(slug)
    if KeyScope.FEEDS_READ.value not in api_key.scopes or topic is None:
        return None
    variant = feeds.xml_variant(suffix, limit, str(request.base_url).rstrip("/"))
    media_type = feeds.FORMATS[suffix].media_type
    response = await feeds.feed_response(request, topic, variant, media_type, None)
    if response is None:
        return None
    return await _answer(request, FEED_ROUTES[suffix], api_key, response)


async def _topic_page(request: Request) -> Response | None:
    """The first page of a topic's articles, if this worker keeps it."""
    query = request.query_params
    slug = query.get("topic")
    limit = limit_asked(query.getlist("limit"), DEFAULT_LIMIT)
    secret, api_key = _key_in_memory(request)
    if slug is None or limit is None or (secret and api_key is None):
        return None
    if not set(query) <= TOPIC_PAGE_PARAMETERS:
        return None
    if len(query.getlist("topic")) > 1 or len(slug) > articles.SLUG_MAX_LENGTH:
        return None
    topic = feed_topics(request).known(slug) if re.fullmatch(SLUG_PATTERN, slug) else None
    if topic is None:
        return None
    cache: Cache = request.app.state.cache
    packed = await cache.get(articles.topic_page_key(topic, limit, None))
    if packed is None:
        return None
    return await _answer(
        request, ARTICLES_ROUTE, api_key, articles.topic_page_response(request, packed)
    )
