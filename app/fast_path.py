"""The hottest requests answered before routing: topic reads from this worker's memory, next
pages of a reader's feed, and batches of reading events.

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

Apps page through a reader's ranked feed by its cursor: a next page asked for with nothing but
its cursor (and a size) and a valid bearer token is answered here by the route's own
``app.feed.router.page_after_response``, its problems (a cursor refused, a feed expired) as
the route's, its reads on a connection with no session around it. One the database cannot
serve goes on to the route, which answers it in full.

Apps send what their readers open, read and like in batches, all day long: a batch in order
(a JSON body, a valid bearer token, events the schema accepts) is recorded here as the route
records it (its statement, its clock, its rate limit, the engagement it announces). On
PostgreSQL the one statement goes straight to the driver, with no session around it
(``app.reader.events.record_events_alone``), which takes a third less of the worker's time
than a session does. Any other batch, and one whose recording fails, goes on to the route
with its body, which answers it in full: its problems, its status codes. (The statement
writes all or nothing; should it have committed before its answer was lost, the route's
attempt finds every event a duplicate.)

This middleware sits inside every other, so a response from here gets the same security,
rate-limit, CORS and metrics treatment as one from the route.
"""

import re

import jwt
from fastapi import Request, Response
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.articles import router as articles
from app.articles.queries import FeedReader
from app.auth.dependencies import (
    bearer_scheme,
    caller_name,
    presented_key,
    recently_verified_key,
)
from app.auth.security import decode_access_token
from app.cache import Cache
from app.clock import app_time
from app.config import Settings
from app.db import Database
from app.errors import DRIVER_ERRORS, AppError
from app.feed import router as reader_feed
from app.middleware import RouteTemplate
from app.models import ApiKey
from app.models import Scope as KeyScope
from app.pagination import CURSOR_MAX_LENGTH, DEFAULT_LIMIT, CursorCodec, limit_asked
from app.ratelimit import limit_unrouted
from app.reader import events
from app.reader import router as reader
from app.reader.schemas import EventBatch
from app.slugs import SLUG_PATTERN
from app.syndication import router as feeds
from app.syndication.topics import feed_topics

FEED_PATH = re.compile(r"/v1/topics/(?P<slug>[^/]+)/feed(?P<suffix>\.rss|\.atom|\.json)")
ARTICLES_PATH = "/v1/articles"
EVENTS_PATH = "/v1/me/events"
READER_FEED_PATH = "/v1/me/feed"
# The query parameters of a topic's first page; any other goes to the route.
TOPIC_PAGE_PARAMETERS = {"topic", "limit", "key"}
# The query parameters of a ranked feed's next page as apps follow `next_cursor`.
NEXT_PAGE_PARAMETERS = {"cursor", "limit"}


FEED_ROUTES = {
    suffix: RouteTemplate(f"/v1/topics/{{slug}}/feed{suffix}") for suffix in feeds.FORMATS
}
ARTICLES_ROUTE = RouteTemplate(ARTICLES_PATH)
EVENTS_ROUTE = RouteTemplate(EVENTS_PATH)
READER_FEED_ROUTE = RouteTemplate(READER_FEED_PATH)


class FastPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            response = None
            if scope["path"] == ARTICLES_PATH:
                response = await _topic_page(Request(scope))
            elif scope["path"] == READER_FEED_PATH:
                response = await _next_feed_page(Request(scope))
            elif (found := FEED_PATH.fullmatch(scope["path"])) is not None:
                response = await _feed(Request(scope), found["slug"], found["suffix"])
            if response is not None:
                await response(scope, receive, send)
                return
        elif scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == EVENTS_PATH:
            request = Request(scope, receive)
            try:
                body = await request.body()
            except ClientDisconnect:
                return  # nobody to answer
            response = await _events(request, body)
            if response is not None:
                await response(scope, receive, send)
                return
            receive = _replaying(body, receive)
        await self.app(scope, receive, send)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """``receive`` for a request whose body was read here: the body, then what follows."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


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
    if "authorization" in request.headers:
        return None  # the route checks the token
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
    if "authorization" in request.headers:
        return None  # a user's page, its cursor theirs: the route checks the token
    if not set(query) <= TOPIC_PAGE_PARAMETERS:
        return None
    if len(query.getlist("topic")) > 1 or len(slug) > articles.SLUG_MAX_LENGTH:
        return None
    topic = feed_topics(request).known(slug) if re.fullmatch(SLUG_PATTERN, slug) else None
    if topic is None:
        return None
    cache: Cache = request.app.state.cache
    packed = await cache.get(
        articles.topic_page_key(topic, limit, None, caller_name(api_key, None))
    )
    if packed is None:
        return None
    return await _answer(
        request, ARTICLES_ROUTE, api_key, articles.topic_page_response(request, packed)
    )


async def _next_feed_page(request: Request) -> Response | None:
    """A next page of the reader's ranked feed, unless the request asks for more than that or
    the database cannot serve it."""
    query = request.query_params
    cursor = query.get("cursor")
    if cursor is None or len(query.getlist("cursor")) > 1 or len(cursor) > CURSOR_MAX_LENGTH:
        return None  # a first page, or a cursor the route refuses
    limit = limit_asked(query.getlist("limit"), DEFAULT_LIMIT)
    if limit is None or not set(query) <= NEXT_PAGE_PARAMETERS:
        return None
    token = await bearer_scheme(request)
    if not token or presented_key(request):
        return None
    settings: Settings = request.app.state.settings
    try:
        user_id = decode_access_token(settings, token, ended=request.app.state.ended_logins)
    except jwt.InvalidTokenError:
        return None
    request.scope["route"] = READER_FEED_ROUTE
    if (refused := await limit_unrouted(request, None)) is not None:
        return refused
    cursors = CursorCodec(settings)
    binding = reader_feed.feed_binding(cursors, user_id, "ranked", include_read=False)
    database: Database = request.app.state.database
    now = await app_time(request.app)
    try:
        async with database.statement_connection() as connection:
            reader = FeedReader(user_id, now, include_read=False)
            return await reader_feed.page_after_response(
                request, connection, cursors, binding, reader, cursor, limit
            )
    except AppError as error:
        return error.response()
    except (SQLAlchemyError, OSError, *DRIVER_ERRORS):
        # The route answers: a 503 when the database cannot serve (counting the request
        # against the reader's limit once more).
        return None


async def _events(request: Request, body: bytes) -> Response | None:
    """A batch of reading events recorded, if it is in order and recording it succeeds."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    token = await bearer_scheme(request)
    if media_type != "application/json" or not token or presented_key(request):
        return None
    try:
        state = request.app.state
        user_id = decode_access_token(state.settings, token, ended=state.ended_logins)
        batch = EventBatch.model_validate_json(body)
    except (jwt.InvalidTokenError, ValidationError):
        return None
    request.scope["route"] = EVENTS_ROUTE
    if (refused := await limit_unrouted(request, None)) is not None:
        return refused
    database: Database = request.app.state.database
    now = await app_time(request.app)
    try:
        if database.engine.dialect.name == "postgresql":
            async with database.statement_connection() as connection:
                recorded = await events.record_events_alone(connection, user_id, batch.events, now)
        else:
            async with database.sessionmaker() as session:
                recorded = await events.record_events(session, user_id, batch.events, now)
                await session.commit()
    except (AppError, SQLAlchemyError, OSError, *DRIVER_ERRORS):
        # Nothing was written (or a lost answer hid a commit, and the route finds every event
        # a duplicate): the route answers (a gone account's problem, a 503), and counts the
        # request against the reader's limit once more.
        return None
    if recorded.accepted:
        reader.note_engagement(request, batch, recorded)
    return Response(recorded.model_dump_json(), status_code=202, media_type="application/json")
