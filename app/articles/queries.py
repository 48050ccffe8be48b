"""Reading articles: lists with filters and keyset pages, search, and the shapes clients see.

Hot paths select only the columns they need and attach topics and authors for a whole page in
one query, so a page costs two statements however long it is. Article rows carry their label
ids in filing order, so that query reads only the labels' own rows, by primary key.
"""

import functools
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import search
from app.articles.kept import KeptSummaries, Version
from app.articles.schemas import Article as ArticleOut
from app.articles.schemas import ArticleSummary
from app.db import Reads, among_bound, dialect_name, fetch_mappings, keyset_before
from app.models import (
    Article,
    ArticleAuthor,
    ArticleTopic,
    Author,
    AuthorMute,
    HiddenArticle,
    ReaderArticle,
    Topic,
    TopicMute,
)

SUMMARY_COLUMNS = (
    Article.id,
    Article.external_id,
    Article.url,
    Article.headline,
    Article.standfirst,
    Article.summary,
    Article.section,
    Article.credits,
    Article.image,
    Article.video,
    Article.language,
    Article.region,
    Article.published_at,
    Article.updated_at,
    Article.comment_count,
    Article.reading_time_minutes,
    Article.editors_pick,
    # Not shown as such: the labels' ids, in filing order, that ``attach_labels`` names.
    Article.topic_ids,
    Article.author_ids,
)
# Summary key, label model, article column with its ids.
LABEL_KINDS = (("topics", Topic, "topic_ids"), ("authors", Author, "author_ids"))


@dataclass(frozen=True)
class ArticleFilters:
    topic: str | None = None
    author: str | None = None
    section: str | None = None
    language: str | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def fingerprint(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@functools.cache
def _labels_named(dialect: str) -> CompoundSelect[Any]:
    """Topics and authors by id (bound as ``topics`` and ``authors``), built once per dialect:
    a page runs it without building and keying it again."""
    return union_all(
        *(
            select(literal(key).label("kind"), model.id, model.slug, model.name).where(
                among_bound(dialect, model.id, key)
            )
            for key, model, _ in LABEL_KINDS
        )
    )


async def attach_labels(
    session: Reads, rows: Sequence[dict[str, Any]], kept: KeptSummaries | None = None
) -> dict[str, dict[str, list[dict[str, str]]]]:
    """Topics and authors, in filing order, for each row of ``SUMMARY_COLUMNS`` (by id);
    those ``kept`` knows are not read."""
    if not rows:
        return {}
    wanted = {key: list({i for row in rows for i in row[ids] or ()}) for key, _, ids in LABEL_KINDS}
    named, due = (
        kept.labels([(k, i) for k, ids in wanted.items() for i in ids]) if kept else ({}, [])
    )
    unknown = {key: [i for i in ids if (key, i) not in named] for key, ids in wanted.items()}
    if due:
        unknown["topics"] = list({*unknown["topics"], *due})
    if any(unknown.values()):
        found = await fetch_mappings(session, _labels_named(dialect_name(session)), unknown)
        read = {(r["kind"], r["id"]): {"slug": r["slug"], "name": r["name"]} for r in found}
        if kept is not None:
            kept.put_labels(read, due_read=bool(due))
        named |= read
    return {
        row["id"]: {
            key: [named[key, i] for i in row[ids] or () if (key, i) in named]
            for key, _, ids in LABEL_KINDS
        }
        for row in rows
    }


# A page's summaries validated by one call, not one call each.
_SUMMARY_LIST = TypeAdapter(list[ArticleSummary])


async def summaries(session: AsyncSession, rows: Sequence[Any]) -> list[ArticleSummary]:
    """Summary forms for rows of ``SUMMARY_COLUMNS``, in the order given."""
    return await _summaries_of(session, [dict(row._mapping) for row in rows])


async def _summaries_of(
    session: Reads, mappings: list[dict[str, Any]], kept: KeptSummaries | None = None
) -> list[ArticleSummary]:
    labels = await attach_labels(session, mappings, kept)
    return _SUMMARY_LIST.validate_python([m | labels[m["id"]] for m in mappings])


@dataclass(frozen=True)
class FeedReader:
    """Whose feed articles are read for, and when: what the reader may not see in it then
    (``still_shown``) is left out."""

    user_id: str
    now: datetime
    include_read: bool = False

    def parameters(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "now": self.now}


def still_shown(*, include_read: bool) -> ColumnElement[bool]:
    """A condition on articles: the reader ``user_id`` may see them in their feed at ``now``
    (both parameters), as its ranking left out what they may not: not hidden; not muted (every
    topic, or any author, by a mute in force); and unless ``include_read``, not opened or read.
    A page of a ranking made earlier applies it again, to what the reader did since.

    The mute conditions are asked of each article only when the reader has a mute in force
    (checked once per statement): most readers have none, and then they cost nothing more."""
    reader = bindparam("user_id", type_=HiddenArticle.user_id.type)
    now = bindparam("now", type_=TopicMute.until.type)
    topic_mutes = (TopicMute.user_id == reader) & (
        TopicMute.until.is_(None) | (TopicMute.until > now)
    )
    author_mutes = (AuthorMute.user_id == reader) & (
        AuthorMute.until.is_(None) | (AuthorMute.until > now)
    )
    filed = exists().where(ArticleTopic.article_id == Article.id)
    unmuted_topic = exists().where(
        ArticleTopic.article_id == Article.id,
        ~exists().where(topic_mutes, TopicMute.topic_id == ArticleTopic.topic_id),
    )
    muted_author = exists().where(
        ArticleAuthor.article_id == Article.id,
        AuthorMute.author_id == ArticleAuthor.author_id,
        author_mutes,
    )
    condition = and_(
        ~exists().where(HiddenArticle.user_id == reader, HiddenArticle.article_id == Article.id),
        ~and_(exists().where(topic_mutes), filed, ~unmuted_topic),
        ~and_(exists().where(author_mutes), muted_author),
    )
    if include_read:
        return condition
    read = exists().where(
        ReaderArticle.user_id == reader,
        ReaderArticle.article_id == Article.id,
        ReaderArticle.last_read_at.is_not(None),
    )
    return and_(condition, ~read)


def live_among(
    columns: Sequence[Any], ids: ColumnElement[bool], *, shown: ColumnElement[bool] | None
) -> Select[Any]:
    """``columns`` of the live articles that ``ids`` (a condition on ``Article.id``) admits,
    and ``shown`` when given (``still_shown``)."""
    statement = select(*columns).where(ids, Article.retracted_at.is_(None))
    return statement if shown is None else statement.where(shown)


@functools.cache
def _live_summaries(dialect: str, *, include_read: bool | None) -> Select[Any]:
    """The summaries (and content hash) of the live articles among ``ids``, and unless
    ``include_read`` is None, those ``still_shown`` to ``user_id`` at ``now``; built once per
    dialect and variant."""
    columns = (*SUMMARY_COLUMNS, Article.content_hash)
    ids = among_bound(dialect, Article.id, "ids")
    shown = None if include_read is None else still_shown(include_read=include_read)
    return live_among(columns, ids, shown=shown)


async def _live_rows(
    session: Reads, article_ids: Sequence[str], reader: FeedReader | None
) -> Sequence[Any]:
    """``SUMMARY_COLUMNS`` and the content hash of the live articles among ``article_ids``
    (and, for a ``reader``'s feed, still shown to them)."""
    if not article_ids:
        return []
    parameters: dict[str, Any] = {"ids": list(article_ids)}
    include_read = None
    if reader is not None:
        parameters |= reader.parameters()
        include_read = reader.include_read
    statement = _live_summaries(dialect_name(session), include_read=include_read)
    return await fetch_mappings(session, statement, parameters)


async def load_summaries(session: AsyncSession, article_ids: Sequence[str]) -> list[ArticleSummary]:
    """Live articles by id, in the order of ``article_ids`` (missing or retracted skipped)."""
    by_id = {row["id"]: row for row in await _live_rows(session, article_ids, None)}
    return await _summaries_of(session, [dict(by_id[i]) for i in article_ids if i in by_id])


_SUMMARY = TypeAdapter(ArticleSummary)


async def load_rendered_summaries(
    session: Reads,
    article_ids: Sequence[str],
    kept: KeptSummaries,
    *,
    reader: FeedReader | None = None,
) -> dict[str, bytes]:
    """``load_summaries`` as each summary's JSON, by article id (for a ``reader``'s feed, those
    still shown to them): what ``kept`` has of an article's current version, and the rest
    rendered (and kept)."""
    rows = {row["id"]: row for row in await _live_rows(session, article_ids, reader)}
    live = {
        article_id: (row["content_hash"], row["updated_at"]) for article_id, row in rows.items()
    }
    rendered, missing = _kept_of(live, kept)
    return rendered | await _render(session, [dict(rows[i]) for i in missing], kept)


async def rendered_summaries(
    session: Reads, live: dict[str, Version], kept: KeptSummaries
) -> dict[str, bytes]:
    """``load_rendered_summaries`` for live articles whose versions are known already (read
    with a feed page's window: ``app.feed.pages``): only those not kept are read, whole."""
    rendered, missing = _kept_of(live, kept)
    rows = [dict(row) for row in await _live_rows(session, missing, None)]
    return rendered | await _render(session, rows, kept)


def _kept_of(live: dict[str, Version], kept: KeptSummaries) -> tuple[dict[str, bytes], list[str]]:
    """The summaries ``kept`` has of these versions, by article id; and the ids it has not."""
    rendered: dict[str, bytes] = {}
    missing: list[str] = []
    for article_id, version in live.items():
        json = kept.get(article_id, version)
        if json is None:
            missing.append(article_id)
        else:
            rendered[article_id] = json
    return rendered, missing


async def _render(
    session: Reads, rows: list[dict[str, Any]], kept: KeptSummaries
) -> dict[str, bytes]:
    """The JSON of these rows' summaries (``SUMMARY_COLUMNS`` and the content hash), kept."""
    rendered: dict[str, bytes] = {}
    for row, summary in zip(rows, await _summaries_of(session, rows, kept), strict=True):
        rendered[summary.id] = json = _SUMMARY.dump_json(summary)
        kept.put(summary.id, (row["content_hash"], row["updated_at"]), json)
    return rendered


async def full_article(session: AsyncSession, article: Article) -> ArticleOut:
    row = {column.key: getattr(article, column.key) for column in SUMMARY_COLUMNS}
    labels = await attach_labels(session, [row])
    return ArticleOut.model_validate(row | labels[article.id] | {"body": article.body})


def _listing(filters: ArticleFilters) -> tuple[Select[Any], Any, Any]:
    """The base query and its (published_at, id) ordering columns.

    Filtering by topic or author walks that label's (label, published_at, article) index, so
    the newest articles of a topic are a range scan however large the archive is.
    """
    statement = select(*SUMMARY_COLUMNS).where(Article.retracted_at.is_(None))
    published, ident = Article.published_at, Article.id
    if filters.topic is not None:
        topic_id = select(Topic.id).where(Topic.slug == filters.topic).scalar_subquery()
        statement = statement.join(ArticleTopic, ArticleTopic.article_id == Article.id).where(
            ArticleTopic.topic_id == topic_id
        )
        published, ident = ArticleTopic.published_at, ArticleTopic.article_id
    if filters.author is not None:
        author_id = select(Author.id).where(Author.slug == filters.author).scalar_subquery()
        statement = statement.join(ArticleAuthor, ArticleAuthor.article_id == Article.id).where(
            ArticleAuthor.author_id == author_id
        )
        if filters.topic is None:
            published, ident = ArticleAuthor.published_at, ArticleAuthor.article_id
    if filters.section is not None:
        statement = statement.where(Article.section == filters.section)
    if filters.language is not None:
        statement = statement.where(Article.language == filters.language)
    if filters.since is not None:
        statement = statement.where(published >= filters.since)
    if filters.until is not None:
        statement = statement.where(published < filters.until)
    return statement, published, ident


async def list_articles(
    session: AsyncSession,
    filters: ArticleFilters,
    *,
    limit: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[ArticleSummary], tuple[datetime, str] | None]:
    """One page, newest first (ties by id), and the position after it if there is more."""
    statement, published, ident = _listing(filters)
    if filters.q is not None:
        condition = search.matches(dialect_name(session), filters.q)
        if condition is None:
            return [], None
        statement = statement.where(condition)
    if after is not None:
        statement = statement.where(keyset_before((published, ident), after))
    statement = statement.order_by(published.desc(), ident.desc()).limit(limit + 1)
    rows = (await session.execute(statement)).all()
    page = await summaries(session, rows[:limit])
    more = len(rows) > limit
    return page, (page[-1].published_at, page[-1].id) if more else None


def newest_filed_statement(
    dialect: str,
    link: type[ArticleTopic] | type[ArticleAuthor],
    label_ids: Sequence[int],
    per_label: int,
    before: tuple[datetime, str] | None = None,
) -> Any:
    """The newest ``per_label`` articles under each topic (or by each author):
    (article id, published_at, label id).

    One index range scan per label, whatever the archive's size: a LATERAL join over the wanted
    labels on PostgreSQL, a UNION ALL of per-label queries on SQLite. Retracted articles are
    not filed, so they never appear. ``before`` keeps only articles older than a keyset position.
    """
    label = link.topic_id if link is ArticleTopic else ArticleAuthor.author_id
    columns = (link.article_id, link.published_at, label)
    order = (link.published_at.desc(), link.article_id.desc())
    older = (
        true() if before is None else keyset_before((link.published_at, link.article_id), before)
    )
    if dialect == "postgresql":
        return newest_per_label(link, literal(list(label_ids), ARRAY(BigInteger)), per_label, older)
    return union_all(
        *(
            select(*columns)
            .where(label == label_id, older)
            .order_by(*order)
            .limit(per_label)
            .subquery()
            .select()
            for label_id in label_ids
        )
    )


def newest_per_label(
    link: type[ArticleTopic] | type[ArticleAuthor],
    label_ids: ColumnElement[Any],
    per_label: int | ColumnElement[int],
    condition: ColumnElement[bool] | None = None,
) -> Select[Any]:
    """PostgreSQL: ``newest_filed_statement`` for an array of label ids (a literal, or a
    parameter of a statement built once): the SQL is the same however many labels."""
    label = link.topic_id if link is ArticleTopic else ArticleAuthor.author_id
    wanted = (
        func.unnest(label_ids)
        .table_valued(column("label_id", BigInteger), name="wanted")
        .render_derived()
    )
    newest = (
        select(link.article_id, link.published_at, label)
        .where(label == wanted.c.label_id, true() if condition is None else condition)
        .order_by(link.published_at.desc(), link.article_id.desc())
        .limit(per_label)
        .lateral("newest")
    )
    return select(newest).select_from(wanted).join(newest, true())


async def newest_filed(
    session: AsyncSession,
    link: type[ArticleTopic] | type[ArticleAuthor],
    label_ids: Sequence[int],
    per_label: int,
    before: tuple[datetime, str] | None = None,
) -> list[tuple[str, datetime, int]]:
    """Runs ``newest_filed_statement``."""
    if not label_ids:
        return []
    statement = newest_filed_statement(dialect_name(session), link, label_ids, per_label, before)
    return [(row[0], row[1], row[2]) for row in await session.execute(statement)]
