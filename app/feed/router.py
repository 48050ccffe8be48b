"""The personalised feed, trending articles, and the reader's interests."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.auth.dependencies import CurrentUserId
from app.clock import Now
from app.config import SettingsDep
from app.db import SessionDep, statements_commit_alone
from app.errors import InvalidCursor
from app.feed import insights, latest, pages, service
from app.feed.schemas import FeedPage, Interests, TrendingPage
from app.pagination import CursorParam, Cursors, Limit

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
    binding = cursors.binding("feed", {"mode": mode, "include_read": include_read}, user_id)
    if mode == "latest":
        after = cursors.decode_position(cursor, binding) if cursor else None
        items, position = await latest.latest_page(
            session, user_id, now, limit=limit, after=after, include_read=include_read
        )
        next_cursor = cursors.encode_position(binding, position) if position else None
        return FeedPage(items=items, next_cursor=next_cursor, generated_at=now)

    state = request.app.state
    if cursor is None:
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
        offset = 0
    else:
        max_age = settings.feed_snapshot_ttl_minutes * 60
        match cursors.decode(cursor, binding, max_age=max_age):
            case [str(snapshot_id), int(offset)] if offset >= 0:
                window = await pages.load_window(session, snapshot_id, user_id, now, offset, limit)
            case _:
                raise InvalidCursor("This cursor is not valid.")
    rendered, following = await pages.snapshot_page(
        session, state.kept_summaries, user_id, window, offset, fresh=cursor is None
    )
    next_cursor = cursors.encode(binding, [window.snapshot_id, following]) if following else None
    # The summaries are JSON already: the page is made around them (as FeedPage would be).
    return Response(
        pages.render(rendered, next_cursor, window.created_at), media_type="application/json"
    )


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
