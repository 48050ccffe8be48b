"""Writing articles: create, edit, retract, and the filing under topics and authors."""

import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles.schemas import ArticleFields, ArticleIn
from app.db import insert_rows, new_id, table_of
from app.errors import Conflict, Gone, NotFound
from app.models import Article, ArticleAuthor, ArticleTopic, Author, Topic
from app.topics import service as label_service

WORDS_PER_MINUTE = 230

# The fields an article's content hash covers: everything the newsroom sends.
WRITABLE_FIELDS = tuple(ArticleFields.model_fields)


def reading_time_minutes(body: str) -> int:
    """Minutes to read the body at an adult's pace; at least one. Words are what whitespace
    separates, as word counts go (and five times as fast as matching them one by one)."""
    return max(1, math.ceil(len(body.split()) / WORDS_PER_MINUTE))


def content_hash(data: ArticleIn) -> str:
    """Identifies an article's content: the same article sent again hashes the same, with or
    without the reading time its body gives. (That reading time leaves no key, so articles
    stored before the field was writable hash as they did.)"""
    content = data.model_dump(mode="json", exclude={"reading_time_minutes"})
    sent = data.reading_time_minutes
    if sent is not None and sent != reading_time_minutes(data.body):
        content["reading_time_minutes"] = sent
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def column_values(data: ArticleIn) -> dict[str, Any]:
    """The articles-table columns for this content (filing aside)."""
    return {
        "external_id": data.external_id,
        "url": data.url,
        "headline": data.headline,
        "standfirst": data.standfirst,
        "summary": list(data.summary),
        "body": data.body,
        "section": data.section,
        "credits": list(data.credits),
        "image": data.image.model_dump() if data.image else None,
        "video": data.video.model_dump() if data.video else None,
        "language": data.language,
        "region": data.region,
        "published_at": data.published_at,
        "updated_at": data.updated_at or data.published_at,
        "comment_count": data.comment_count,
        "reading_time_minutes": data.reading_time_minutes or reading_time_minutes(data.body),
        "editors_pick": data.editors_pick,
        "topic_names": list(data.topics),
        "author_names": list(data.authors),
        "content_hash": content_hash(data),
    }


@dataclass(frozen=True)
class Filing:
    """Where one article is filed: its topics and authors in order, and its date."""

    article_id: str
    published_at: datetime
    topics: Sequence[str]
    authors: Sequence[str]


async def _current_labels(
    session: AsyncSession, link: type[ArticleTopic] | type[ArticleAuthor], article_ids: list[str]
) -> list[int]:
    column = link.topic_id if link is ArticleTopic else ArticleAuthor.author_id
    rows = await session.execute(select(column).where(link.article_id.in_(article_ids)))
    return list(rows.scalars().all())


@dataclass(frozen=True)
class Filed:
    """The ids of an article's topics and authors, in filing order (primary topic first)."""

    topic_ids: list[int]
    author_ids: list[int]

    def columns(self) -> dict[str, list[int]]:
        return {"topic_ids": self.topic_ids, "author_ids": self.author_ids}


async def label_ids(session: AsyncSession, filings: Sequence[Filing]) -> dict[str, Filed]:
    """Each article's label ids (labels not seen before are created): an article row carries
    them, so they are known before it is written."""
    topics = await label_service.ensure_labels(
        session, Topic, [name for f in filings for name in f.topics]
    )
    authors = await label_service.ensure_labels(
        session, Author, [name for f in filings for name in f.authors]
    )
    return {
        f.article_id: Filed(
            [topics[slug] for slug, _ in label_service.unique_by_slug(f.topics)],
            [authors[slug] for slug, _ in label_service.unique_by_slug(f.authors)],
        )
        for f in filings
    }


async def _refile(
    session: AsyncSession,
    model: type[Topic] | type[Author],
    link: type[ArticleTopic] | type[ArticleAuthor],
    filings: Sequence[Filing],
    filed: dict[str, Filed],
    *,
    replace: bool,
) -> None:
    key = "topic_id" if model is Topic else "author_id"
    article_ids = [f.article_id for f in filings]
    deltas: Counter[int] = Counter()
    if replace:
        deltas.subtract(await _current_labels(session, link, article_ids))
        await session.execute(delete(link).where(link.article_id.in_(article_ids)))
    rows = []
    for filing in filings:
        ids = filed[filing.article_id]
        for position, label_id in enumerate(ids.topic_ids if model is Topic else ids.author_ids):
            deltas[label_id] += 1
            rows.append(
                {
                    "article_id": filing.article_id,
                    key: label_id,
                    "position": position,
                    "published_at": filing.published_at,
                }
            )
    await insert_rows(session, table_of(link), rows)
    changes = label_service.pending_label_changes(session)
    changes.counts[model].update(deltas)
    if model is Topic:
        changes.touched_topics.update(deltas)


async def file_articles(
    session: AsyncSession,
    filings: Sequence[Filing],
    filed: dict[str, Filed],
    *,
    replace: bool = False,
) -> None:
    """File articles under their topics and authors (``filed``: from ``label_ids``, and
    already on the article rows). The counts and feed versions this changes wait for
    ``label_service.apply_label_changes``, the caller's last step."""
    if not filings:
        return
    await _refile(session, Topic, ArticleTopic, filings, filed, replace=replace)
    await _refile(session, Author, ArticleAuthor, filings, filed, replace=replace)


async def unfile_articles(session: AsyncSession, article_ids: list[str]) -> None:
    """Take articles out of every topic and author listing (counts: see ``file_articles``)."""
    for model, link in ((Topic, ArticleTopic), (Author, ArticleAuthor)):
        removed = Counter(await _current_labels(session, link, article_ids))
        await session.execute(delete(link).where(link.article_id.in_(article_ids)))
        changes = label_service.pending_label_changes(session)
        changes.counts[model].subtract(removed)
        if model is Topic:
            changes.touched_topics.update(removed)
    await session.execute(
        update(Article).where(Article.id.in_(article_ids)).values(topic_ids=[], author_ids=[])
    )


async def _ensure_unique(
    session: AsyncSession, url: str | None, external_id: str | None, exclude_pk: int | None = None
) -> None:
    conditions = []
    if url is not None:
        conditions.append(Article.url == url)
    if external_id is not None:
        conditions.append(Article.external_id == external_id)
    if not conditions:
        return
    statement = select(Article.url, Article.external_id).where(or_(*conditions))
    if exclude_pk is not None:
        statement = statement.where(Article.pk != exclude_pk)
    clash = (await session.execute(statement.limit(1))).first()
    if clash is not None:
        field = "url" if url is not None and clash.url == url else "external_id"
        raise Conflict(f"An article with this {field} already exists.")


async def create_article(session: AsyncSession, data: ArticleIn) -> str:
    """Store a new article and file it; ``Conflict`` if its url or external_id is taken."""
    await _ensure_unique(session, data.url, data.external_id)
    filing = Filing(new_id(), data.published_at, data.topics, data.authors)
    filed = await label_ids(session, [filing])
    article = Article(
        id=filing.article_id, **column_values(data), **filed[filing.article_id].columns()
    )
    session.add(article)
    await session.flush()
    await file_articles(session, [filing], filed)
    await label_service.apply_label_changes(session)
    return article.id


async def get_live_article(session: AsyncSession, article_id: str) -> Article:
    """The article, unless it never existed (404) or was retracted (410)."""
    article = await session.scalar(select(Article).where(Article.id == article_id))
    if article is None:
        raise NotFound("No such article.")
    if article.retracted_at is not None:
        raise Gone("This article has been retracted.")
    return article


def stored_content(article: Article) -> dict[str, Any]:
    """An article's fields as the newsroom would send them: the base that a PATCH changes.
    Not validated here: a row stored under earlier rules may not pass today's, and the PATCH
    says which of its fields (422) instead of failing."""
    return {
        **{field: getattr(article, field) for field in WRITABLE_FIELDS if hasattr(article, field)},
        "topics": article.topic_names,
        "authors": article.author_names,
    }


async def update_article(
    session: AsyncSession, article_id: str, changes: ArticleFields, now: datetime
) -> str:
    """Apply the fields sent; refile when topics, authors or the date change."""
    article = await get_live_article(session, article_id)
    # updated_at is "now" unless the newsroom says otherwise.
    current = stored_content(article)
    del current["updated_at"]
    sent = changes.model_dump(exclude_unset=True)
    if "body" in sent and sent["body"] != current["body"]:
        # A new body has a new reading time, unless the newsroom sends one with it.
        current.pop("reading_time_minutes", None)
    try:
        merged = ArticleIn.model_validate({**current, **sent})
    except ValidationError as error:
        # A field the article cannot do without (headline, topics...) was sent as null, or
        # one it keeps from before no longer passes and must be sent anew.
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        ) from None
    await replace_content(session, article, merged, now)
    await label_service.apply_label_changes(session)
    return article.id


async def replace_content(
    session: AsyncSession, article: Article, data: ArticleIn, now: datetime
) -> None:
    """Overwrite an article's content with ``data``, refiling it if that changed its filing."""
    await _ensure_unique(session, data.url, data.external_id, exclude_pk=article.pk)
    values = column_values(data)
    if data.updated_at is None:
        values["updated_at"] = now
    refile = (
        article.topic_names != values["topic_names"]
        or article.author_names != values["author_names"]
        or article.published_at != data.published_at
    )
    filing = Filing(article.id, data.published_at, data.topics, data.authors)
    filed = await label_ids(session, [filing]) if refile else {}
    if refile:
        values |= filed[article.id].columns()
    await session.execute(update(Article).where(Article.pk == article.pk).values(**values))
    if refile:
        await file_articles(session, [filing], filed, replace=True)
    else:
        # Same filing, new content: the topics' feeds still change.
        label_service.pending_label_changes(session).touched_topics.update(article.topic_ids)


async def retract_article(session: AsyncSession, article_id: str, now: datetime) -> None:
    """Withdraw an article from every list, search and feed; its GET becomes 410."""
    article = await session.scalar(select(Article).where(Article.id == article_id))
    if article is None:
        raise NotFound("No such article.")
    if article.retracted_at is not None:
        return
    article.retracted_at = now
    await unfile_articles(session, [article.id])
    await label_service.apply_label_changes(session)
    await session.flush()
