"""The application factory."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api_keys.revocations import revocation_listener
from app.api_keys.router import router as api_keys_router
from app.articles.kept import KeptSummaries
from app.articles.router import router as articles_router
from app.auth.dependencies import VerifiedKeys, refuse_invalid_credentials
from app.auth.logins import EndedLogins
from app.auth.router import router as auth_router
from app.auth.security import TOKEN_LEEWAY_SECONDS
from app.cache import Cache
from app.conditional import GZIP_LEVEL_PER_RESPONSE, GZIP_MINIMUM_SIZE
from app.config import Settings, get_settings
from app.db import Database
from app.errors import install_error_handlers
from app.fast_path import FastPathMiddleware
from app.feed.router import router as feed_router
from app.feed.signals import RankingFacts, SharedSignals
from app.middleware import (
    BodySizeLimitMiddleware,
    EncodedETagMiddleware,
    GZipMiddleware,
    HeadMiddleware,
    IngestSlotsMiddleware,
    NulPathMiddleware,
    SecurityHeadersMiddleware,
)
from app.openapi import build_openapi
from app.ops.metrics import MetricsMiddleware
from app.ops.router import router as ops_router
from app.ratelimit import (
    RateLimiter,
    RateLimitHeadersMiddleware,
    counted_http_exception,
    counted_validation_error,
    enforce_rate_limit,
)
from app.reader.router import router as reader_router
from app.syndication.router import router as syndication_router
from app.syndication.topics import FeedTopics
from app.topics.router import router as topics_router
from app.users.router import router as users_router

logger = logging.getLogger(__name__)

DESCRIPTION = """
A personalised news feed: articles, topics and authors, readers' subscriptions and reading
history, a ranked feed that explains itself, and topic feeds for partners.

Errors are RFC 9457 `application/problem+json`. Users authenticate with a bearer token from
`POST /v1/auth/token`; partners and integrations with an `X-API-Key` header.
"""


def tune_garbage_collector(young_threshold: int) -> None:
    """Set a worker's collector for a long-running server, once it has started.

    What startup made (modules, the app and its routes) lives as long as the process, so it
    is frozen out of every later collection; collections then run every ``young_threshold``
    allocations instead of Python's 700 (0 leaves the threshold as it is).
    """
    gc.collect()
    gc.freeze()
    if young_threshold:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(young_threshold, older, oldest)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API: routers, middleware, error handlers and the database lifecycle."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        verified_keys: VerifiedKeys = app.state.verified_keys
        revocations = revocation_listener(
            settings.database_url,
            lambda _key_id: verified_keys.forget_all(),
            connect_timeout=settings.db_connect_timeout_seconds,
        )
        listening = asyncio.create_task(revocations.run()) if revocations else None
        facts: RankingFacts = app.state.feed_signals.facts
        keeping = asyncio.create_task(facts.keep_newest(app.state.database.sessionmaker))
        ended_logins: EndedLogins = app.state.ended_logins
        reading = asyncio.create_task(ended_logins.keep_reading(app.state.database.sessionmaker))
        tune_garbage_collector(settings.gc_young_threshold)
        yield
        background = [task for task in (listening, keeping, reading) if task is not None]
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await app.state.cache.close()
        await app.state.database.engine.dispose()

    app = FastAPI(
        title="myNEWS API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
    app.state.settings = settings
    # Connections are opened lazily: the app starts while the database is still down.
    app.state.database = Database.from_settings(settings)

    app.state.cache = Cache(settings.redis_url, max_bytes=settings.cache_max_mb * 2**20)
    app.state.verified_keys = VerifiedKeys(settings.api_key_cache_seconds)
    # Refused for as long as an access token issued before the end may still be presented.
    app.state.ended_logins = EndedLogins(
        settings.access_token_ttl_seconds + 2 * TOKEN_LEEWAY_SECONDS
    )
    app.state.feed_signals = SharedSignals()
    app.state.feed_topics = FeedTopics(settings.feed_topic_cache_seconds)
    app.state.kept_summaries = KeptSummaries()
    app.state.ingest_slots = asyncio.Semaphore(settings.ingest_concurrency)
    app.state.rate_limiter = RateLimiter(settings.redis_url)

    install_error_handlers(app)
    app.exception_handler(RequestValidationError)(counted_validation_error)
    app.exception_handler(StarletteHTTPException)(counted_http_exception)
    app.include_router(ops_router)
    for router in (
        auth_router,
        users_router,
        api_keys_router,
        articles_router,
        syndication_router,
        topics_router,
        reader_router,
        feed_router,
    ):
        checks = [Depends(enforce_rate_limit)]
        if router is not auth_router:
            checks.append(Depends(refuse_invalid_credentials))
        app.include_router(router, dependencies=checks)

    # Added innermost first: metrics see the final status of every response, and a request
    # answered before routing (app/fast_path.py) gets every header a routed one does.
    app.add_middleware(IngestSlotsMiddleware)
    app.add_middleware(FastPathMiddleware)
    app.add_middleware(NulPathMiddleware)
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE, compresslevel=GZIP_LEVEL_PER_RESPONSE
    )
    app.add_middleware(EncodedETagMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-API-Key",
                "If-None-Match",
                "If-Modified-Since",
            ],
            # Beyond what browsers show scripts anyway (Last-Modified, Cache-Control...).
            expose_headers=[
                "ETag",
                "Location",
                "Retry-After",
                "RateLimit",
                "RateLimit-Policy",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "X-RateLimit-Reset",
            ],
            max_age=600,
        )
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_request_body_bytes)
    # Outside what makes a GET's headers (compression, ETags, CORS), so HEAD gets them all.
    app.add_middleware(HeadMiddleware)
    app.add_middleware(MetricsMiddleware)
    return app
