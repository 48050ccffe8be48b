"""Articles: public reads, newsroom writes."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import batch, queries, service
from app.articles.schemas import (
    Article,
    ArticleBatchIn,
    ArticleFields,
    ArticleIn,
    ArticleSummary,
    BatchOut,
)
from app.auth.dependencies import ArticleWriter, Caller, EditorUser
from app.cache import Cache
from app.clock import Now
from app.conditional import coded_response, conditional_response
from app.db import SessionDep, after_commit
from app.errors import NotFound
from app.feed.signals import SharedSignals
from app.pagination import CursorParam, Cursors, Limit, Page
from app.schemas import PLAIN_TEXT, Timestamp
from app.slugs import SLUG_PATTERN
from app.syndication.topics import ChangesTopicFeeds, FeedTopic, feed_topics

router = APIRouter(prefix="/v1/articles", tags=["articles"])

SLUG_MAX_LENGTH = 80
Slug = Annotated[str | None, Query(max_length=SLUG_MAX_LENGTH, pattern=SLUG_PATTERN)]
Label = Annotated[str | None, Query(min_length=1, max_length=100, pattern=PLAIN_TEXT)]
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the client's copy is current."}
}
GONE: dict[int | str, dict[str, Any]] = {410: {"description": "The article was retracted."}}


@router.get("", response_model=Page[ArticleSummary])
async def list_articles(
    request: Request,
    session: SessionDep,
    cursors: Cursors,
    caller: Caller,
    limit: Limit,
    cursor: CursorParam = None,
    topic: Slug = None,
    author: Slug = None,
    section: Label = None,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, pattern=PLAIN_TEXT, description="Search words"),
    ] = None,
    since: Annotated[Timestamp | None, Query(description="Published at or after")] = None,
    until: Annotated[Timestamp | None, Query(description="Published before")] = None,
) -> Page[ArticleSummary] | Response:
    """Live articles, newest first; filters combine. Pages neither repeat nor skip."""
    filters = queries.ArticleFilters(topic, author, section, language, q, since, until)
    binding = cursors.binding("articles", filters.fingerprint(), caller)
    after = None
    if cursor is not None:
        after = cursors.decode_position(cursor, binding)

    async def page() -> Page[ArticleSummary]:
        items, position = await queries.list_articles(session, filters, limit=limit, after=after)
        next_cursor = cursors.encode_position(binding, position) if position else None
        return Page(items=items, next_cursor=next_cursor)

    if topic is None or filters.fingerprint().keys() != {"topic"}:
        return await page()
    # A topic's pages change only with its feed version: made once per version, like its feeds.
    try:
        known = await feed_topics(request).get(session, topic)
    except NotFound:
        return await page()

    async def body() -> bytes:
        return (await page()).model_dump_json().encode()

    cache: Cache = request.app.state.cache
    packed = await cache.gzipped(topic_page_key(known, limit, cursor, caller), body)
    return topic_page_response(request, packed)


def topic_page_key(topic: FeedTopic, limit: int, cursor: str | None, caller: str) -> str:
    """Where a page of a topic's articles is kept: it changes only with the feed revision,
    and its cursor is its caller's (anonymous callers share theirs)."""
    return f"mynews:articles-gz:{topic.id}:{topic.revision}:{limit}:{caller}:{cursor or ''}"


def topic_page_response(request: Request, packed: bytes) -> Response:
    """A kept page of a topic's articles, gzip-coded or not as the client takes it."""
    return coded_response(request, packed, "application/json", {})


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Article,
    responses={409: {"description": "The url or external_id belongs to another article."}},
    dependencies=[ChangesTopicFeeds],
)
async def create_article(
    body: ArticleIn, session: SessionDep, _writer: ArticleWriter, response: Response
) -> Article:
    """Publish an article (editors, or API keys with `articles:write`)."""
    article_id = await service.create_article(session, body)
    response.headers["Location"] = f"/v1/articles/{article_id}"
    return await queries.full_article(session, await service.get_live_article(session, article_id))


def _forget_ranking_facts(request: Request, session: AsyncSession, article_ids: list[str]) -> None:
    """Feeds ranked in this process read these articles afresh once this request's changes
    commit (other processes' within their minute). A new article needs nothing: no process
    knows its facts yet."""
    if article_ids:
        shared: SharedSignals = request.app.state.feed_signals
        after_commit(session, lambda: shared.facts.forget(article_ids))


@router.post(
    "/batch",
    response_model=BatchOut,
    responses={503: {"description": "Too many batches at once: retry after `Retry-After`."}},
    dependencies=[ChangesTopicFeeds],
)
async def upsert_batch(
    body: ArticleBatchIn, session: SessionDep, _writer: ArticleWriter, now: Now, request: Request
) -> BatchOut:
    """Create or update up to 500 articles by external_id (or url); safe to repeat."""
    results = await batch.upsert_articles(session, body.articles, now)
    updated = [r.id for r in results if r.status == "updated" and r.id is not None]
    _forget_ranking_facts(request, session, updated)
    return BatchOut(results=results)


@router.get("/{article_id:id}", response_model=Article, responses={**NOT_MODIFIED, **GONE})
async def read_article(article_id: str, session: SessionDep, request: Request) -> Response:
    """The full article, with a strong ETag; `If-None-Match` gives 304. No `Last-Modified`:
    the article's `updated_at` is the newsroom's to set (even back in time), and a topic's
    new name changes the article too."""
    article = await service.get_live_article(session, article_id)
    full = await queries.full_article(session, article)
    return conditional_response(request, full.model_dump_json().encode(), "application/json")


@router.patch(
    "/{article_id:id}",
    response_model=Article,
    responses=GONE,
    dependencies=[ChangesTopicFeeds],
)
async def update_article(
    article_id: str,
    body: ArticleFields,
    session: SessionDep,
    _editor: EditorUser,
    now: Now,
    request: Request,
) -> Article:
    """Correct an article (editors): only the fields sent change."""
    await service.update_article(session, article_id, body, now)
    _forget_ranking_facts(request, session, [article_id])
    return await queries.full_article(session, await service.get_live_article(session, article_id))


@router.delete(
    "/{article_id:id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=GONE,
    dependencies=[ChangesTopicFeeds],
)
async def retract_article(
    article_id: str, session: SessionDep, _editor: EditorUser, now: Now, request: Request
) -> None:
    """Retract an article (editors): gone from every list, search and feed; its GET is 410."""
    await service.retract_article(session, article_id, now)
    _forget_ranking_facts(request, session, [article_id])
