"""Topics and authors: the labels articles are filed under, found or created by name.

Both are the same kind of thing (a slug, a name, counts), so one set of functions serves both.
"""

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.db import among, clock_at_write, insert_or_ignore, table_of
from app.errors import Conflict, NotFound
from app.models import ArticleTopic, Author, Topic
from app.slugs import slug_for

Label = Topic | Author
L = TypeVar("L", Topic, Author)


def unique_by_slug(names: Sequence[str]) -> list[tuple[str, str]]:
    """(slug, name) pairs in the given order, the first name winning for each slug."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(slug_for(name), name.strip())
    return list(seen.items())


async def ensure_labels(
    session: AsyncSession, model: type[Label], names: Sequence[str]
) -> dict[str, int]:
    """Ids by slug for these names, creating what is missing (safe under concurrent writers)."""
    pairs = unique_by_slug(names)
    if not pairs:
        return {}
    table = table_of(model)
    by_slug = select(table.c.slug, table.c.id)
    slugs = [slug for slug, _ in pairs]
    rows = await session.execute(by_slug.where(among(session, table.c.slug, slugs)))
    found: dict[str, int] = dict(rows.all())
    missing = [{"slug": slug, "name": name} for slug, name in pairs if slug not in found]
    if missing:
        await session.execute(insert_or_ignore(session, table), missing)
        created = [m["slug"] for m in missing]
        found.update(
            (await session.execute(by_slug.where(among(session, table.c.slug, created)))).all()
        )
    return found


async def get_label(session: AsyncSession, model: type[L], slug: str) -> L:
    label = await session.scalar(select(model).where(model.slug == slug))
    if label is None:
        raise NotFound(f"No {model.__name__.lower()} {slug!r}.")
    return label


def _like_pattern(query: str) -> str:
    escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_labels(
    session: AsyncSession,
    model: type[Label],
    *,
    query: str | None,
    limit: int,
    after: tuple[str, str] | None,
) -> list[Any]:
    """By name, then slug; ``query`` matches part of the name or slug, in any case."""
    statement = select(model).order_by(model.name, model.slug).limit(limit)
    if query:
        pattern = _like_pattern(query)
        statement = statement.where(
            or_(model.slug.like(pattern, escape="\\"), model.name.ilike(pattern, escape="\\"))
        )
    if after is not None:
        statement = statement.where(tuple_(model.name, model.slug) > tuple_(*after))
    return list((await session.scalars(statement)).all())


async def create_topic(session: AsyncSession, *, name: str, description: str | None) -> Topic:
    slug = slug_for(name)
    if await session.scalar(select(Topic.id).where(Topic.slug == slug)) is not None:
        raise Conflict(f"The topic {slug!r} already exists.")
    topic = Topic(slug=slug, name=name, description=description)
    session.add(topic)
    await session.flush()
    return topic


async def update_topic(session: AsyncSession, slug: str, changes: dict[str, Any]) -> Topic:
    topic = await get_label(session, Topic, slug)
    for field, value in changes.items():
        setattr(topic, field, value)
    await session.flush()
    # The name and description are in the topic's feeds; the name is also in the feeds and
    # pages of every topic filed alongside it (each story's categories and tags).
    shown_in = {topic.id}
    if "name" in changes:
        shown_in |= await topics_filed_alongside(session, topic.id)
    await touch_topic_feeds(session, shown_in)
    await session.refresh(topic)
    return topic


async def topics_filed_alongside(session: AsyncSession, topic_id: int) -> set[int]:
    """Topics that share at least one article with this one."""
    filed = aliased(ArticleTopic)
    alongside = aliased(ArticleTopic)
    rows = await session.scalars(
        select(alongside.topic_id)
        .distinct()
        .join(filed, filed.article_id == alongside.article_id)
        .where(filed.topic_id == topic_id, alongside.topic_id != topic_id)
    )
    return set(rows.all())


async def adjust_article_counts(
    session: AsyncSession, model: type[Label], deltas: dict[int, int]
) -> None:
    """Add to article counts atomically, so concurrent writers never lose an update."""
    changes = [{"label_id": i, "delta": d} for i, d in sorted(deltas.items()) if d]
    if not changes:
        return
    table = cast(Table, model.__table__)
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("label_id"))
        .values(article_count=table.c.article_count + bindparam("delta")),
        changes,
    )


@dataclass
class LabelChanges:
    """What a transaction's filing did to label counts and topic feeds, not yet written."""

    counts: dict[type[Label], Counter[int]] = dataclasses.field(
        default_factory=lambda: {Topic: Counter(), Author: Counter()}
    )
    touched_topics: set[int] = dataclasses.field(default_factory=set)


_CHANGES = "mynews.label_changes"


def pending_label_changes(session: AsyncSession) -> LabelChanges:
    """The changes this session's writes have made to labels, kept for ``apply_label_changes``."""
    changes: LabelChanges = session.info.setdefault(_CHANGES, LabelChanges())
    return changes


async def apply_label_changes(session: AsyncSession) -> None:
    """Write the pending count and feed-version changes, as a write's last statements.

    Every writer filing under a popular topic updates that topic's row. Done last, in id
    order and once per topic, the row locks are taken late and in one order, and each topic
    gets one new row version per write. They are still held until the commit, so concurrent
    writers filing under the same popular topics queue on each other.
    """
    changes: LabelChanges | None = session.info.pop(_CHANGES, None)
    if changes is None:
        return
    await adjust_article_counts(session, Author, dict(changes.counts[Author]))
    topic_counts = changes.counts[Topic]
    topic_ids = sorted(changes.touched_topics | {t for t, n in topic_counts.items() if n})
    if not topic_ids:
        return
    # One new row version per topic: its count and its feed version change together.
    table = cast(Table, Topic.__table__)
    # The feed changed when the row is written, after any concurrent writer of the topic
    # has committed: a later version is never dated earlier (Last-Modified follows it).
    now = clock_at_write(session)
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("topic_id"))
        .values(
            article_count=table.c.article_count + bindparam("delta"),
            feed_version=table.c.feed_version + 1,
            feed_updated_at=now,
            updated_at=now,
        ),
        [{"topic_id": t, "delta": topic_counts.get(t, 0)} for t in topic_ids],
    )


async def touch_topic_feeds(session: AsyncSession, topic_ids: set[int]) -> None:
    """Mark these topics' feeds as changed (new ETag and Last-Modified)."""
    if not topic_ids:
        return
    await session.execute(
        update(Topic)
        .where(Topic.id.in_(sorted(topic_ids)))
        .values(feed_version=Topic.feed_version + 1, feed_updated_at=clock_at_write(session))
    )
