"""The signed-in reader's own state: /v1/me/..."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Body, Path, Request, status
from fastapi.exceptions import RequestValidationError

from app.auth.dependencies import CurrentUser, CurrentUserId
from app.clock import Now
from app.db import SessionDep, after_commit
from app.feed.signals import SharedSignals
from app.pagination import CursorParam, Cursors, Limit, Page
from app.reader import events, service
from app.reader.schemas import (
    BookmarkOut,
    EventBatch,
    EventsAccepted,
    HistoryEntry,
    MuteIn,
    Mutes,
    Subscriptions,
)

router = APIRouter(prefix="/v1/me", tags=["reader"])

Kind = Annotated[str, Path(pattern="^(topics|authors)$", description="`topics` or `authors`")]
Slug = Annotated[str, Path(max_length=200)]
ArticleId = Annotated[str, Path(max_length=64)]
NO_CONTENT = status.HTTP_204_NO_CONTENT


@router.get("/subscriptions", response_model=Subscriptions)
async def list_subscriptions(user: CurrentUser, session: SessionDep) -> Subscriptions:
    """The topics and authors the reader follows."""
    return await service.list_subscriptions(session, user.id)


@router.put("/subscriptions/{kind}/{slug}", status_code=NO_CONTENT)
async def follow(kind: Kind, slug: Slug, user: CurrentUser, session: SessionDep) -> None:
    """Follow a topic or an author (idempotent; 404 for an unknown slug)."""
    await service.follow(session, user.id, service.KINDS[kind], slug)


@router.delete("/subscriptions/{kind}/{slug}", status_code=NO_CONTENT)
async def unfollow(kind: Kind, slug: Slug, user: CurrentUser, session: SessionDep) -> None:
    """Stop following (idempotent; 404 for an unknown slug)."""
    await service.unfollow(session, user.id, service.KINDS[kind], slug)


@router.get("/mutes", response_model=Mutes)
async def list_mutes(user: CurrentUser, session: SessionDep, now: Now) -> Mutes:
    """Mutes in force now."""
    return await service.list_mutes(session, user.id, now)


@router.put("/mutes/{kind}/{slug}", status_code=NO_CONTENT)
async def mute(
    kind: Kind,
    slug: Slug,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    body: Annotated[MuteIn | None, Body()] = None,
) -> None:
    """Mute a topic or author: its stories leave the feed, for good or `until` a time."""
    until = body.until if body else None
    if until is not None and until <= now:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "until"),
                    "msg": "until must be in the future",
                    "type": "value_error",
                }
            ]
        )
    await service.mute(session, user.id, service.KINDS[kind], slug, until)


@router.delete("/mutes/{kind}/{slug}", status_code=NO_CONTENT)
async def unmute(kind: Kind, slug: Slug, user: CurrentUser, session: SessionDep) -> None:
    await service.unmute(session, user.id, service.KINDS[kind], slug)


@router.get("/bookmarks", response_model=Page[BookmarkOut])
async def list_bookmarks(
    user: CurrentUser,
    session: SessionDep,
    cursors: Cursors,
    limit: Limit,
    cursor: CursorParam = None,
) -> Page[BookmarkOut]:
    """Bookmarked articles, newest bookmark first."""
    binding = cursors.binding("bookmarks", {}, user.id)
    after = cursors.decode_position(cursor, binding) if cursor else None
    items, position = await service.list_bookmarks(session, user.id, limit=limit, after=after)
    return Page(
        items=items, next_cursor=cursors.encode_position(binding, position) if position else None
    )


@router.put("/bookmarks/{article_id}", status_code=NO_CONTENT)
async def bookmark(article_id: ArticleId, user: CurrentUser, session: SessionDep, now: Now) -> None:
    """Bookmark an article (idempotent)."""
    await service.bookmark(session, user.id, article_id, now)


@router.delete("/bookmarks/{article_id}", status_code=NO_CONTENT)
async def remove_bookmark(article_id: ArticleId, user: CurrentUser, session: SessionDep) -> None:
    await service.remove_bookmark(session, user.id, article_id)


@router.put("/hidden/{article_id}", status_code=NO_CONTENT)
async def hide(article_id: ArticleId, user: CurrentUser, session: SessionDep, now: Now) -> None:
    """ "Not interested": the article leaves this reader's feed for good."""
    await service.hide(session, user.id, article_id, now)


@router.delete("/hidden/{article_id}", status_code=NO_CONTENT)
async def unhide(article_id: ArticleId, user: CurrentUser, session: SessionDep) -> None:
    await service.unhide(session, user.id, article_id)


# Batches in order are recorded before routing, as this route records them (app/fast_path.py).
@router.post("/events", status_code=status.HTTP_202_ACCEPTED, response_model=EventsAccepted)
async def record_events(
    body: EventBatch, request: Request, user_id: CurrentUserId, session: SessionDep, now: Now
) -> EventsAccepted:
    """Record 1..500 reading events. Each event's `id` makes a retried batch harmless."""
    recorded = await events.record_events(session, user_id, body.events, now)
    if recorded.accepted:
        after_commit(session, partial(note_engagement, request, body, recorded))
    return recorded


def note_engagement(request: Request, batch: EventBatch, recorded: EventsAccepted) -> None:
    """Once a batch with new events is committed: this process's feeds read afresh the
    engagement of the articles of its events not rejected (new or sent before). A rejected
    event's article is left out: the ids a client makes up would otherwise pile up until
    the next feed read, and be queried then."""
    shared: SharedSignals = request.app.state.feed_signals
    rejected = {event.index for event in recorded.rejected}
    shared.engagement.engaged(
        event.article_id for index, event in enumerate(batch.events) if index not in rejected
    )


@router.get("/history", response_model=Page[HistoryEntry])
async def history(
    user: CurrentUser,
    session: SessionDep,
    cursors: Cursors,
    limit: Limit,
    cursor: CursorParam = None,
) -> Page[HistoryEntry]:
    """Articles the reader opened or read, most recent first."""
    binding = cursors.binding("history", {}, user.id)
    after = cursors.decode_position(cursor, binding) if cursor else None
    items, position = await events.history(session, user.id, limit=limit, after=after)
    return Page(
        items=items, next_cursor=cursors.encode_position(binding, position) if position else None
    )
