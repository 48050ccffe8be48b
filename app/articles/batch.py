"""Batch upsert from the newsroom's CMS: each item checked on its own, all written in bulk.

Items match existing articles by ``external_id``, or by ``url`` when they have none (or when
the article at that url has none yet, which it then takes). An item identical to what is
stored is "unchanged", and so are all the items naming one article when the last of them is
what is stored: a repeated batch writes nothing. A bad item (even one that is not an object)
is reported in its result and never fails the others. Lookups and inserts are done for the
whole batch at once, so new and unchanged items cost a handful of statements however many
there are; each updated item costs a few of its own (updates are the rare case).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import service
from app.articles.schemas import ArticleIn, BatchResult
from app.db import among, insert_rows, new_id, table_of
from app.models import Article
from app.topics import service as label_service

_item_adapter = TypeAdapter(ArticleIn)


def _describe(error: ValidationError) -> str:
    """Field paths and messages, never the submitted values."""
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in error.errors()[:5]
    ]
    return "; ".join(parts)


@dataclass
class Stored:
    """What the batch needs to know of an existing article."""

    pk: int
    id: str
    url: str
    external_id: str | None
    content_hash: str
    retracted: bool


async def _load_existing(
    session: AsyncSession, items: Sequence[ArticleIn]
) -> tuple[dict[str, Stored], dict[str, Stored]]:
    external_ids = {i.external_id for i in items if i.external_id is not None}
    urls = {i.url for i in items}
    table = table_of(Article)
    statement = select(
        table.c.pk,
        table.c.id,
        table.c.url,
        table.c.external_id,
        table.c.content_hash,
        table.c.retracted_at.is_not(None).label("retracted"),
    ).where(
        or_(
            among(session, table.c.url, urls),
            among(session, table.c.external_id, external_ids),
        )
    )
    by_external_id: dict[str, Stored] = {}
    by_url: dict[str, Stored] = {}
    for row in await session.execute(statement):
        stored = Stored(row.pk, row.id, row.url, row.external_id, row.content_hash, row.retracted)
        by_url[stored.url] = stored
        if stored.external_id is not None:
            by_external_id[stored.external_id] = stored
    return by_external_id, by_url


def _article_key(item: ArticleIn) -> tuple[str, str]:
    """What names the article an item is about: its external_id, or its url without one."""
    if item.external_id is not None:
        return ("external_id", item.external_id)
    return ("url", item.url)


def _unchanged_articles(
    items: Sequence[ArticleIn], by_external_id: dict[str, Stored], by_url: dict[str, Stored]
) -> dict[tuple[str, str], str]:
    """The articles (key -> id) whose last version in the batch is what is stored.

    A batch naming one article twice ends with its last version; when that is stored already,
    replaying the earlier ones would move its updated_at, ETag and feed versions for nothing.
    """
    last_versions = {_article_key(item): item for item in items}
    unchanged: dict[tuple[str, str], str] = {}
    for key, item in last_versions.items():
        stored = (by_external_id if key[0] == "external_id" else by_url).get(key[1])
        if (
            stored is not None
            and not stored.retracted
            and stored.content_hash == service.content_hash(item)
        ):
            unchanged[key] = stored.id
    return unchanged


async def upsert_articles(
    session: AsyncSession, raw_items: Sequence[object], now: datetime
) -> list[BatchResult]:
    """Create, update or leave each item; one result per item, in order."""
    results: list[BatchResult | None] = [None] * len(raw_items)
    valid: list[tuple[int, ArticleIn]] = []
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            results[index] = BatchResult(
                index=index, status="error", error="item: must be an object (an article)"
            )
            continue
        try:
            valid.append((index, _item_adapter.validate_python(raw)))
        except ValidationError as error:
            results[index] = BatchResult(index=index, status="error", error=_describe(error))

    by_external_id, by_url = await _load_existing(session, [item for _, item in valid])
    unchanged = _unchanged_articles([item for _, item in valid], by_external_id, by_url)
    # Articles created by this batch, written at the end: id -> (columns, filing).
    pending: dict[str, tuple[dict[str, Any], service.Filing]] = {}
    for index, item in valid:
        unchanged_id = unchanged.get(_article_key(item))
        if unchanged_id is not None:
            results[index] = BatchResult(index=index, id=unchanged_id, status="unchanged")
            continue
        match = (
            by_external_id.get(item.external_id)
            if item.external_id is not None
            else by_url.get(item.url)
        )
        holder_of_url = by_url.get(item.url)
        if match is None and holder_of_url is not None and holder_of_url.external_id is None:
            # Stored before the CMS gave it an id (by an editor, or a feed): the same
            # article, which takes the id now.
            match = holder_of_url
        if match is None and holder_of_url is not None:
            results[index] = BatchResult(
                index=index,
                status="error",
                error="url: another article (with another external_id) already has this url",
            )
            continue
        if match is None:
            values = service.column_values(item) | {"id": new_id()}
            filing = service.Filing(values["id"], item.published_at, item.topics, item.authors)
            pending[values["id"]] = (values, filing)
            stored = Stored(
                0, values["id"], item.url, item.external_id, values["content_hash"], False
            )
            by_url[item.url] = stored
            if item.external_id is not None:
                by_external_id[item.external_id] = stored
            results[index] = BatchResult(index=index, status="created", id=stored.id)
            continue
        if match.retracted:
            results[index] = BatchResult(
                index=index, id=match.id, status="error", error="the article has been retracted"
            )
        elif match.content_hash == service.content_hash(item):
            results[index] = BatchResult(index=index, id=match.id, status="unchanged")
        elif holder_of_url is not None and holder_of_url is not match:
            results[index] = BatchResult(
                index=index, id=match.id, status="error", error="url: another article has this url"
            )
        else:
            if match.id in pending:
                values = service.column_values(item) | {"id": match.id}
                filing = service.Filing(match.id, item.published_at, item.topics, item.authors)
                pending[match.id] = (values, filing)
            else:
                found = await session.execute(select(Article).where(Article.pk == match.pk))
                article = found.scalar_one()
                await service.replace_content(session, article, item, now)
            del by_url[match.url]
            match.url, match.content_hash = item.url, service.content_hash(item)
            by_url[item.url] = match
            if item.external_id is not None:
                match.external_id = item.external_id
                by_external_id[item.external_id] = match
            results[index] = BatchResult(index=index, id=match.id, status="updated")

    if pending:
        filings = [filing for _, filing in pending.values()]
        filed = await service.label_ids(session, filings)
        await insert_rows(
            session,
            table_of(Article),
            [values | filed[filing.article_id].columns() for values, filing in pending.values()],
        )
        await service.file_articles(session, filings, filed)
    await label_service.apply_label_changes(session)
    return [result for result in results if result is not None]
