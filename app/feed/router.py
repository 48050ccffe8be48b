"""The personalised feed, trending articles, and the reader's interests."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.articles.queries import FeedReader
from app.auth.dependencies import CurrentUserId
from app.clock import Now
from app.config import SettingsDep
from app.db import Reads, SessionDep, statements_commit_alone
from app.feed import insights, latest, pages, service
from app.feed.schemas import FeedPage, Interests, TrendingPage
from app.pagination import CursorCodec, CursorParam, Cursors, Limit

router = APIRouter(tags=["feed"])


@router.get(
    "/v1/me/feed",
    response_model=FeedPage,
    responses={400: {"description": "The cursor is invalid, or its feed has expired."}},
)
async def read_feed(
    request: Request,
    user_id: CurrentUserId,
    session: SessionDep,
    settings: SettingsDep,
    cursors: Cursors,
    now: Now,
    limit: Limit,
    cursor: CursorParam = None,
    mode: Annotated[Literal["ranked", "latest"], Query()] = "ranked",
    include_read: Annotated[
        bool, Query(description="Keep articles already opened or read.")
    ] = False,
) -> FeedPage | Response:
    """Stories that matter to the reader, best first, each with the reasons it is there.

    Without a cursor, a fresh ranking is made; its cursor pages through that same ranking for
    at least 15 minutes. `mode=latest` lists followed topics and authors, newest first.
    """
    # No statement here needs another's transaction: reads, and a new snapshot written by
    # one statement that also clears the reader's expired ones (two on SQLite).
    await statements_commit_alone(session)
    binding = feed_binding(cursors, user_id, mode, include_read)
    if mode == "latest":
        after = cursors.decode_position(cursor, binding) if cursor else None
        items, position = await latest.latest_page(
            session, user_id, now, limit=limit, after=after, include_read=include_read
        )
        next_cursor = cursors.encode_position(binding, position) if position else None
        return FeedPage(items=items, next_cursor=next_cursor, generated_at=now)

    state = request.app.state
    if cursor is not None:
        reader = FeedReader(user_id, now, include_read)
        return await page_after_response(request, session, cursors, binding, reader, cursor, limit)
    ranked = await service.rank_for_reader(
        session,
        state.cache,
        state.feed_signals,
        user_id,
        now,
        settings,
        include_read=include_read,
    )
    slugs = state.feed_signals.slugs
    snapshot = await service.create_snapshot(session, slugs, user_id, ranked, now, settings)
    window = pages.first_window(snapshot, limit)
    reader = FeedReader(user_id, now, include_read)
    start = pages.Position(0)
    page = await pages.page_of(
        session, state.kept_summaries, cursors, binding, reader, window, start, limit, fresh=True
    )
    return Response(page, media_type="application/json")


def feed_binding(cursors: CursorCodec, user_id: str, mode: str, include_read: bool) -> str:
    """What the feed's cursors are bound to: the reader, the mode and ``include_read``."""
    return cursors.binding("feed", {"mode": mode, "include_read": include_read}, user_id)


async def page_after_response(
    request: Request,
    session: Reads,
    cursors: CursorCodec,
    binding: str,
    reader: FeedReader,
    cursor: str,
    limit: int,
) -> Response:
    """The page of the reader's ranked feed that ``cursor`` points at. Also answered before
    routing (``app.fast_path``)."""
    state = request.app.state
    max_age = state.settings.feed_snapshot_ttl_minutes * 60
    page = await pages.page_after(
        session, state.kept_summaries, cursors, binding, cursor, reader, limit, max_age
    )
    # The summaries are JSON already: the page is made around them (as FeedPage would be).
    return Response(page, media_type="application/json")


@router.get("/v1/trending", response_model=TrendingPage)
async def read_trending(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    limit: Limit,
    hours: Annotated[int, Query(ge=1, le=168, description="The engagement window.")] = 24,
) -> TrendingPage:
    """Articles ranked by readers' recent engagement, recent activity counting most."""
    cache = request.app.state.cache
    items = await insights.trending(session, cache, now, settings, hours=hours, limit=limit)
    return TrendingPage(items=items)


@router.get("/v1/me/interests", response_model=Interests)
async def read_interests(
    user_id: CurrentUserId, session: SessionDep, settings: SettingsDep, now: Now
) -> Interests:
    """What the feed believes the reader cares about, and the evidence for it."""
    return await insights.interests(session, user_id, now, settings)
