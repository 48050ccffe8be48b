"""A reader's explicit choices: follows, mutes, bookmarks and hides.

Every function acts on the signed-in reader's own rows only; no user id ever comes from a
request body or path.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    bindparam,
    delete,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import queries as article_queries
from app.articles import service as article_service
from app.db import fetch_rows, insert_or_ignore, keyset_before, table_of, upsert
from app.errors import AccountGone, NotFound
from app.models import (
    Article,
    Author,
    AuthorMute,
    AuthorSubscription,
    Bookmark,
    HiddenArticle,
    Topic,
    TopicMute,
    TopicSubscription,
    User,
)
from app.reader.schemas import BookmarkOut, LabelRef, MutedLabel, Mutes, Subscriptions


@dataclass(frozen=True)
class LabelKind:
    """Topics or authors, with the tables a reader's choices about them live in."""

    model: type[Topic] | type[Author]
    subscription: type[TopicSubscription] | type[AuthorSubscription]
    mute: type[TopicMute] | type[AuthorMute]
    key: str


TOPICS = LabelKind(Topic, TopicSubscription, TopicMute, "topic_id")
AUTHORS = LabelKind(Author, AuthorSubscription, AuthorMute, "author_id")
KINDS = {"topics": TOPICS, "authors": AUTHORS}


async def _label_id(session: AsyncSession, kind: LabelKind, slug: str) -> int:
    label_id = await session.scalar(select(kind.model.id).where(kind.model.slug == slug))
    if label_id is None:
        raise NotFound(f"No {kind.model.__name__.lower()} {slug!r}.")
    return label_id


async def follow(session: AsyncSession, user_id: str, kind: LabelKind, slug: str) -> None:
    """Follow a topic or author; following again changes nothing."""
    label_id = await _label_id(session, kind, slug)
    table = table_of(kind.subscription)
    inserted = await session.execute(
        insert_or_ignore(session, table)
        .values(user_id=user_id, **{kind.key: label_id})
        .returning(table.c.user_id)
    )
    if inserted.first() is not None:
        await _adjust_followers(session, kind, label_id, +1)


async def unfollow(session: AsyncSession, user_id: str, kind: LabelKind, slug: str) -> None:
    """Stop following; unfollowing what is not followed changes nothing."""
    label_id = await _label_id(session, kind, slug)
    table = table_of(kind.subscription)
    deleted = await session.execute(
        delete(table)
        .where(table.c.user_id == user_id, table.c[kind.key] == label_id)
        .returning(table.c.user_id)
    )
    if deleted.first() is not None:
        await _adjust_followers(session, kind, label_id, -1)


async def _adjust_followers(
    session: AsyncSession, kind: LabelKind, label_id: int, delta: int
) -> None:
    # One atomic increment in the same transaction as the (un)follow: concurrent requests
    # serialise on the label's row and the count always equals the subscriptions.
    model = kind.model
    await session.execute(
        update(model)
        .where(model.id == label_id)
        .values(follower_count=model.follower_count + delta)
    )


async def _labels_of(
    session: AsyncSession, user_id: str, kind: LabelKind, link: Any, *extra: Any
) -> list[Any]:
    model = kind.model
    statement = (
        select(model.slug, model.name, *extra)
        .join(link, link.c[kind.key] == model.id)
        .where(link.c.user_id == user_id)
        .order_by(model.name, model.slug)
    )
    return list((await session.execute(statement)).all())


async def list_subscriptions(session: AsyncSession, user_id: str) -> Subscriptions:
    found = {}
    for name, kind in KINDS.items():
        rows = await _labels_of(session, user_id, kind, table_of(kind.subscription))
        found[name] = [LabelRef(slug=r.slug, name=r.name) for r in rows]
    return Subscriptions(**found)


async def mute(
    session: AsyncSession, user_id: str, kind: LabelKind, slug: str, until: datetime | None
) -> None:
    """Mute a topic or author, until a time or for good; muting again sets the new end."""
    label_id = await _label_id(session, kind, slug)
    table = table_of(kind.mute)
    await session.execute(
        upsert(session, table, ["user_id", kind.key], lambda new: {"until": new.until}).values(
            user_id=user_id, until=until, **{kind.key: label_id}
        )
    )


async def unmute(session: AsyncSession, user_id: str, kind: LabelKind, slug: str) -> None:
    label_id = await _label_id(session, kind, slug)
    table = table_of(kind.mute)
    await session.execute(
        delete(table).where(table.c.user_id == user_id, table.c[kind.key] == label_id)
    )


def _active(table: Any, now: datetime | ColumnElement[datetime]) -> Any:
    return or_(table.c.until.is_(None), table.c.until > now)


async def list_mutes(session: AsyncSession, user_id: str, now: datetime) -> Mutes:
    """Mutes in force now; ended snoozes are not shown."""
    found = {}
    for name, kind in KINDS.items():
        table = table_of(kind.mute)
        rows = await _labels_of(session, user_id, kind, table, table.c.until)
        found[name] = [
            MutedLabel(slug=r.slug, name=r.name, until=r.until)
            for r in rows
            if r.until is None or r.until > now
        ]
    return Mutes(**found)


# In ``reader_labels``' statement, the row that says the reader's account exists.
ACCOUNT_TAG = 4


@dataclass(frozen=True)
class ReaderLabels:
    """The ids of the topics and authors a reader follows, and of those muted now."""

    followed_topics: list[int]
    followed_authors: list[int]
    muted_topics: set[int]
    muted_authors: set[int]


@functools.cache
def _labels_statement() -> CompoundSelect[Any]:
    """The account (``user_id``) and its follows and mutes in force at ``now``, each row
    tagged by what it is; built once, as a first page runs it."""
    users = table_of(User)
    user_id = bindparam("user_id", type_=users.c.id.type)
    parts = [select(literal(ACCOUNT_TAG), literal(0)).where(users.c.id == user_id)]
    for tag, kind in enumerate((TOPICS, AUTHORS)):
        follows, mutes = table_of(kind.subscription), table_of(kind.mute)
        parts.append(select(literal(tag), follows.c[kind.key]).where(follows.c.user_id == user_id))
        parts.append(
            select(literal(tag + 2), mutes.c[kind.key]).where(
                mutes.c.user_id == user_id,
                _active(mutes, bindparam("now", type_=mutes.c.until.type)),
            )
        )
    return union_all(*parts)


async def reader_labels(session: AsyncSession, user_id: str, now: datetime) -> ReaderLabels:
    """The reader's follows and mutes in force, read by one statement; ``AccountGone`` when
    the reader's account no longer exists (that statement reads it too)."""
    found: list[list[int]] = [[], [], [], [], []]
    rows = await fetch_rows(session, _labels_statement(), {"user_id": user_id, "now": now})
    for tag, label_id in rows:
        found[tag].append(label_id)
    if not found[ACCOUNT_TAG]:
        raise AccountGone()
    return ReaderLabels(found[0], found[1], set(found[2]), set(found[3]))


async def _mark(
    session: AsyncSession, model: Any, user_id: str, article_id: str, now: datetime
) -> None:
    await article_service.get_live_article(session, article_id)
    await session.execute(
        insert_or_ignore(session, table_of(model)).values(
            user_id=user_id, article_id=article_id, created_at=now
        )
    )


async def _unmark(session: AsyncSession, model: Any, user_id: str, article_id: str) -> None:
    if await session.scalar(select(Article.pk).where(Article.id == article_id)) is None:
        raise NotFound("No such article.")
    await session.execute(
        delete(model).where(model.user_id == user_id, model.article_id == article_id)
    )


async def bookmark(session: AsyncSession, user_id: str, article_id: str, now: datetime) -> None:
    await _mark(session, Bookmark, user_id, article_id, now)


async def remove_bookmark(session: AsyncSession, user_id: str, article_id: str) -> None:
    await _unmark(session, Bookmark, user_id, article_id)


async def hide(session: AsyncSession, user_id: str, article_id: str, now: datetime) -> None:
    """ "Not interested": the article never shows in this reader's feed."""
    await _mark(session, HiddenArticle, user_id, article_id, now)


async def unhide(session: AsyncSession, user_id: str, article_id: str) -> None:
    await _unmark(session, HiddenArticle, user_id, article_id)


async def list_bookmarks(
    session: AsyncSession, user_id: str, *, limit: int, after: tuple[datetime, str] | None
) -> tuple[list[BookmarkOut], tuple[datetime, str] | None]:
    """Newest bookmark first; retracted articles drop out."""
    statement = (
        select(Bookmark.article_id, Bookmark.created_at)
        .join(Article, Article.id == Bookmark.article_id)
        .where(Bookmark.user_id == user_id, Article.retracted_at.is_(None))
    )
    if after is not None:
        statement = statement.where(
            keyset_before((Bookmark.created_at, Bookmark.article_id), after)
        )
    statement = statement.order_by(Bookmark.created_at.desc(), Bookmark.article_id.desc())
    rows = (await session.execute(statement.limit(limit + 1))).all()
    return await with_articles(rows, limit, session, BookmarkOut, "bookmarked_at")


async def with_articles(
    rows: Sequence[Any], limit: int, session: AsyncSession, shape: Any, time_field: str
) -> tuple[list[Any], tuple[datetime, str] | None]:
    """Page items pairing each article's summary with its time, and the next position."""
    page = rows[:limit]
    articles = {
        a.id: a for a in await article_queries.load_summaries(session, [r[0] for r in page])
    }
    items = [shape(article=articles[r[0]], **{time_field: r[1]}) for r in page if r[0] in articles]
    more = len(rows) > limit
    return items, (page[-1][1], page[-1][0]) if more else None


async def release_follows(session: AsyncSession, user_id: str) -> None:
    """Take a departing reader out of every follower count (their rows go by cascade)."""
    for kind in KINDS.values():
        table = table_of(kind.subscription)
        followed = select(table.c[kind.key]).where(table.c.user_id == user_id)
        await session.execute(
            update(kind.model)
            .where(kind.model.id.in_(followed))
            .values(follower_count=kind.model.follower_count - 1)
        )
