"""The hot listing queries walk an index in order: no sort of a whole topic or table."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, Table, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import queries
from app.articles.service import Filing, file_articles, label_ids
from app.db import among_bound, dialect_name, exact_string, new_id
from app.feed import signals
from app.models import Article, ArticleTopic, ReaderArticle, Topic
from app.reader import events

ARTICLES = 3000
TOPICS = 30


async def fill(session: AsyncSession) -> list[int]:
    """Enough articles across enough topics for the planner to prefer its indexes."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [new_id() for _ in range(ARTICLES)]
    filings = [
        Filing(article_id, start + timedelta(minutes=i), [f"Plan topic {i % TOPICS}"], [])
        for i, article_id in enumerate(ids)
    ]
    filed = await label_ids(session, filings)
    rows: list[dict[str, Any]] = [
        {
            "id": f.article_id,
            "url": f"https://news.example/plan/{i}",
            "headline": f"Plan {i}",
            "published_at": f.published_at,
            "updated_at": f.published_at,
            "content_hash": "x",
            **filed[f.article_id].columns(),
        }
        for i, f in enumerate(filings)
    ]
    await session.execute(insert(Article), rows)
    await file_articles(session, filings, filed)
    if dialect_name(session) == "postgresql":
        await session.execute(text("ANALYZE articles"))
        await session.execute(text("ANALYZE article_topics"))
    else:
        await session.execute(text("ANALYZE"))
    return list((await session.scalars(select(Topic.id).order_by(Topic.id))).all())


async def plan(session: AsyncSession, statement: Any) -> str:
    bind = session.bind
    assert bind is not None
    sql = str(statement.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN" if dialect_name(session) == "postgresql" else "EXPLAIN QUERY PLAN"
    rows = await session.execute(text(f"{prefix} {sql}"))
    return "\n".join(str(row[-1]) for row in rows)


async def test_newest_in_one_topic_is_an_ordered_index_scan(session: AsyncSession) -> None:
    await fill(session)
    statement, published, ident = queries._listing(queries.ArticleFilters(topic="plan-topic-3"))
    statement = statement.order_by(published.desc(), ident.desc()).limit(21)
    explained = await plan(session, statement)
    assert "ix_article_topics_topic_id_published_at" in explained, explained
    assert "Sort" not in explained, explained
    assert "TEMP B-TREE" not in explained, explained


async def test_newest_across_everything_is_an_ordered_index_scan(session: AsyncSession) -> None:
    await fill(session)
    statement, published, ident = queries._listing(queries.ArticleFilters())
    statement = statement.order_by(published.desc(), ident.desc()).limit(21)
    explained = await plan(session, statement)
    assert "ix_articles_published_at_id" in explained, explained
    assert "Sort" not in explained, explained
    assert "TEMP B-TREE" not in explained, explained


async def test_newest_in_several_topics_scans_each_topic_index(session: AsyncSession) -> None:
    topic_ids = await fill(session)
    wanted = topic_ids[:5]
    rows = await queries.newest_filed(session, ArticleTopic, wanted, per_label=4)
    assert len(rows) == 20
    assert {topic for _, _, topic in rows} == set(wanted)
    statement = queries.newest_filed_statement(dialect_name(session), ArticleTopic, wanted, 4)
    explained = await plan(session, statement)
    assert "ix_article_topics_topic_id_published_at" in explained, explained
    assert "Seq Scan on article_topics" not in explained, explained
    assert "TEMP B-TREE" not in explained, explained


async def test_newest_editors_picks_come_from_their_partial_index(session: AsyncSession) -> None:
    await fill(session)
    await session.execute(
        update(Article).where(Article.headline.like("Plan %0")).values(editors_pick=True)
    )
    shown = await plan(session, signals.newest_statement(limit=20, picks_only=True))
    assert "ix_articles_live_editors_picks" in shown, shown
    assert "TEMP B-TREE" not in shown.upper(), shown
    assert "Sort" not in shown, shown


async def test_a_readers_history_walks_the_index_of_read_rows(session: AsyncSession) -> None:
    """Many readers, each with rows only seen in a list and rows opened: one reader's history
    walks the partial history index, newest first, with no sort."""
    await fill(session)
    article_ids = list((await session.scalars(select(Article.id).limit(200))).all())
    start = datetime(2026, 2, 1, tzinfo=UTC)
    await session.execute(
        insert(ReaderArticle),
        [
            {
                "user_id": f"reader-{reader}",
                "article_id": article_id,
                "impressed_at": start,
                "last_read_at": start + timedelta(minutes=i) if i % 3 == 0 else None,
                "dwell_ms": 0,
            }
            for reader in range(40)
            for i, article_id in enumerate(article_ids)
        ],
    )
    if dialect_name(session) == "postgresql":
        await session.execute(text("ANALYZE reader_articles"))
    else:
        await session.execute(text("ANALYZE"))
    statement = events.history_statement("reader-7", limit=20, after=None)
    assert len((await session.execute(statement)).all()) == 21
    explained = await plan(session, statement)
    assert "ix_reader_articles_user_id_last_read_at" in explained, explained
    assert "Sort" not in explained, explained
    assert "TEMP B-TREE" not in explained.upper(), explained


async def test_a_list_of_ids_is_looked_up_by_index_whatever_the_column_collation(
    session: AsyncSession,
) -> None:
    """Ids sent as one array parameter (``among``) are compared under the column's own
    collation: in a table whose ids are not bytewise ("C"; a database not yet migrated),
    the lookup still walks the id index instead of reading the whole table."""
    if dialect_name(session) != "postgresql":
        pytest.skip("collations and array parameters are PostgreSQL's")
    await session.execute(
        text("CREATE TEMPORARY TABLE plan_ids (id varchar(32) PRIMARY KEY) ON COMMIT DROP")
    )
    ids = [new_id() for _ in range(ARTICLES)]
    await session.execute(
        text("INSERT INTO plan_ids SELECT unnest(CAST(:ids AS text[]))"), {"ids": ids}
    )
    await session.execute(text("ANALYZE plan_ids"))
    # Declared as the models declare ids.
    table = Table("plan_ids", MetaData(), Column("id", exact_string(32), primary_key=True))
    statement = select(table.c.id).where(among_bound("postgresql", table.c.id, "ids"))
    bind = session.bind
    assert bind is not None
    sql = str(statement.compile(dialect=bind.dialect))
    assert sql.count("$1") == 1, sql
    # The statement as the app sends it, its array parameter written in its place.
    sent = sql.replace("$1", "'{" + ",".join(ids[:3]) + "}'")
    rows = await session.execute(text("EXPLAIN " + sent))
    explained = "\n".join(str(row[0]) for row in rows)
    assert "plan_ids_pkey" in explained, explained
