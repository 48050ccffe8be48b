"""Partner topic feeds: JSON, RSS 2.0, Atom 1.0 and JSON Feed 1.1, with conditional GET.

Validators come from the topic's feed version, which a worker reads at most every few
seconds (app/syndication/topics.py): a 304 costs no rendering and no article query. Rendered
feeds are cached gzip-coded (in Redis when configured) under that version, so a change to
the topic's articles makes new keys and old ones age out; a feed is compressed once, not on
every poll. Polls whose answer is in memory are answered before routing, by ``feed_response``
(``app.fast_path``).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, overload

from fastapi import APIRouter, Path, Query, Request, Response

from app.articles import queries as article_queries
from app.articles.schemas import ArticleSummary
from app.auth.dependencies import Caller, FeedReaderKey
from app.cache import Cache
from app.clock import app_time
from app.conditional import (
    coded_response,
    gzip_size,
    http_date,
    is_not_modified,
    last_modified_date,
    matching_etag,
    not_modified,
    strong_etag,
)
from app.db import SessionDep
from app.pagination import MAX_LIMIT, CursorParam, Cursors, Page, PageSize
from app.syndication import render
from app.syndication.topics import FeedTopic, feed_topics

router = APIRouter(prefix="/v1/topics/{slug}", tags=["partner feeds"])

DEFAULT_FEED_LIMIT = 50
# Bump when the rendering changes, so cached copies and ETags of the old form retire.
RENDER_VERSION = "1"
CACHE_CONTROL = "public, max-age=60"
SLUG_MAX_LENGTH = 200
Slug = Annotated[str, Path(max_length=SLUG_MAX_LENGTH)]
FeedLimit = Annotated[PageSize, Query(description=f"Items; above {MAX_LIMIT} means {MAX_LIMIT}.")]
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the client's copy is current."}
}
Renderer = Callable[[render.FeedMeta, list[ArticleSummary]], bytes]


def feed_etag(topic: FeedTopic, variant: str) -> str:
    """The strong ETag of a topic feed's ``variant`` (its format, size and base URL), which
    changes with the topic's feed revision."""
    return strong_etag(RENDER_VERSION, str(topic.id), topic.revision, variant)


def xml_variant(suffix: str, limit: int, base: str) -> str:
    """What, besides the topic, an RSS, Atom or JSON Feed document depends on."""
    return f"{suffix}|{limit}|{base}"


def validator_headers(etag: str, topic: FeedTopic, vary: str, as_of: datetime) -> dict[str, str]:
    return {
        "ETag": etag,
        "Last-Modified": http_date(last_modified_date(topic.feed_updated_at, as_of)),
        "Cache-Control": CACHE_CONTROL,
        "Vary": vary,
    }


Producer = Callable[[], Awaitable[bytes]]


@overload
async def feed_response(
    request: Request,
    topic: FeedTopic,
    variant: str,
    media_type: str,
    produce: Producer,
    *,
    vary: str = ...,
) -> Response: ...


@overload
async def feed_response(
    request: Request,
    topic: FeedTopic,
    variant: str,
    media_type: str,
    produce: None,
    *,
    vary: str = ...,
) -> Response | None: ...


async def feed_response(
    request: Request,
    topic: FeedTopic,
    variant: str,
    media_type: str,
    produce: Producer | None,
    *,
    vary: str = "Accept-Encoding",
) -> Response | None:
    """304 when the client's copy is current, else the feed: kept, or made by ``produce``.

    Without ``produce``, None when the feed is not kept (making it needs the database).
    ``vary``: the request headers the feed depends on.
    """
    etag = feed_etag(topic, variant)
    # What is served is as of when this worker read the topic's version.
    as_of = await app_time(request.app) - feed_topics(request).age(topic)
    headers = validator_headers(etag, topic, vary, as_of)
    cache: Cache = request.app.state.cache
    key = f"mynews:feed-gz:{etag.strip(chr(34))}"
    if is_not_modified(request, etag, topic.feed_updated_at):
        size = None
        if matching_etag(request, etag) is None:
            # Revalidated by date: whether the client holds the gzip coding depends on the size.
            packed = await cache.get(key)
            size = None if packed is None else gzip_size(packed)
        return not_modified(request, etag, headers, body_size=size)
    if produce is None:
        if (kept := await cache.get(key)) is None:
            return None
        return coded_response(request, kept, media_type, headers)
    return coded_response(request, await cache.gzipped(key, produce), media_type, headers)


def _xml_feed(
    renderer: Renderer, media_type: str, suffix: str
) -> Callable[..., Awaitable[Response]]:
    async def serve_feed(
        slug: Slug,
        request: Request,
        session: SessionDep,
        _key: FeedReaderKey,
        limit: FeedLimit = DEFAULT_FEED_LIMIT,
    ) -> Response:
        topic = await feed_topics(request).get(session, slug)
        limit = min(limit, MAX_LIMIT)
        base = str(request.base_url).rstrip("/")

        async def produce() -> bytes:
            filters = article_queries.ArticleFilters(topic=topic.slug)
            articles, _ = await article_queries.list_articles(
                session, filters, limit=limit, after=None
            )
            meta = render.FeedMeta(
                slug=topic.slug,
                name=topic.name,
                description=topic.description,
                updated_at=topic.feed_updated_at,
                self_url=f"{base}/v1/topics/{topic.slug}/feed{suffix}",
                topic_url=f"{base}/v1/topics/{topic.slug}",
            )
            return renderer(meta, articles)

        variant = xml_variant(suffix, limit, base)
        return await feed_response(request, topic, variant, media_type, produce)

    return serve_feed


@dataclass(frozen=True)
class FeedFormat:
    renderer: Renderer
    media_type: str
    name: str


# Path suffix -> format of the syndication feeds.
FORMATS = {
    ".rss": FeedFormat(render.render_rss, "application/rss+xml; charset=utf-8", "RSS 2.0"),
    ".atom": FeedFormat(render.render_atom, "application/atom+xml; charset=utf-8", "Atom 1.0"),
    ".json": FeedFormat(
        render.render_json_feed, "application/feed+json; charset=utf-8", "JSON Feed 1.1"
    ),
}

for suffix, feed_format in FORMATS.items():
    router.add_api_route(
        f"/feed{suffix}",
        _xml_feed(feed_format.renderer, feed_format.media_type, suffix),
        methods=["GET"],
        response_class=Response,
        responses={200: {"content": {feed_format.media_type.split(";")[0]: {}}}, **NOT_MODIFIED},
        summary=f"Topic feed as {feed_format.name}",
        description=f"The topic's newest articles as {feed_format.name}. Needs an API key with "
        "`feeds:read` (header, or `?key=` for feed readers). Conditional GET: strong ETag, "
        "Last-Modified, 304.",
    )


@router.get("/feed", response_model=Page[ArticleSummary], responses=NOT_MODIFIED)
async def topic_feed_json(
    slug: Slug,
    request: Request,
    session: SessionDep,
    cursors: Cursors,
    _key: FeedReaderKey,
    caller: Caller,
    limit: FeedLimit = DEFAULT_FEED_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    """The topic's newest articles in summary form, paged; conditional GET as the other feeds.
    Its cursors are its caller's (the key's), so the page varies with the key."""
    topic = await feed_topics(request).get(session, slug)
    limit = min(limit, MAX_LIMIT)
    binding = cursors.binding("topic-feed", {"topic": topic.slug, "limit": limit}, caller)
    after = cursors.decode_position(cursor, binding) if cursor else None

    async def produce() -> bytes:
        filters = article_queries.ArticleFilters(topic=topic.slug)
        items, position = await article_queries.list_articles(
            session, filters, limit=limit, after=after
        )
        next_cursor = cursors.encode_position(binding, position) if position else None
        return Page[ArticleSummary](items=items, next_cursor=next_cursor).model_dump_json().encode()

    variant = f"json|{limit}|{caller}|{cursor or ''}"
    return await feed_response(
        request, topic, variant, "application/json", produce, vary="Accept-Encoding, X-API-Key"
    )
