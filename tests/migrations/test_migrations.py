"""The migrations build the schema the models describe, and come down again cleanly."""

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import String, Text, cast, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app.articles.search import include_in_autogenerate, matches
from app.db import Base
from app.models import Article
from tests.conftest import run_alembic


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_in_autogenerate}
    )
    return list(compare_metadata(context, Base.metadata))


def _collation_drift(connection: Connection) -> set[tuple[str, str, str | None]]:
    """Columns whose collation differs from the model's, which `alembic check` does not
    compare: (table, column, the collation the model gives it)."""
    dialect = connection.dialect
    if dialect.name != "postgresql":
        return set()
    found = {
        (table, column): collation
        for table, column, collation in connection.execute(
            text(
                "SELECT table_name, column_name, collation_name FROM information_schema.columns"
                " WHERE table_schema = current_schema()"
            )
        )
    }
    drift = set()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            column_type = column.type.dialect_impl(dialect)
            wanted = column_type.collation if isinstance(column_type, String) else None
            if found[(table.name, column.name)] != wanted:
                drift.add((table.name, column.name, wanted))
    return drift


async def test_downgrade_to_base_then_upgrade_to_head_without_drift(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await run_alembic(connection, "downgrade", "base")
        await connection.commit()
        assert await connection.run_sync(_table_names) <= {"alembic_version"}

        await run_alembic(connection, "upgrade", "head")
        await connection.commit()
        assert await connection.run_sync(_table_names) >= set(Base.metadata.tables)
        # What `alembic check` reports: the models and the migrated schema agree.
        assert await connection.run_sync(_drift) == []
        assert await connection.run_sync(_collation_drift) == set()


async def test_large_values_are_compressed_with_lz4_where_the_server_has_it(
    engine: AsyncEngine,
) -> None:
    """Bodies, search vectors and stored rankings: what the migrations set, which `alembic
    check` does not see."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not compress values")
    async with engine.connect() as connection:
        has_lz4 = await connection.scalar(
            text(
                "SELECT 'lz4' = ANY (enumvals) FROM pg_settings"
                " WHERE name = 'default_toast_compression'"
            )
        )
        if not has_lz4:
            pytest.skip("this server was built without lz4")
        rows = await connection.execute(
            text(
                "SELECT attrelid::regclass::text, attname, attcompression::text FROM pg_attribute"
                " WHERE (attrelid, attname) IN (('articles'::regclass, 'body'),"
                " ('articles'::regclass, 'search_vector'), ('feed_snapshots'::regclass, 'items'))"
            )
        )
        assert sorted(tuple(row) for row in rows) == [
            ("articles", "body", "l"),
            ("articles", "search_vector", "l"),
            ("feed_snapshots", "items", "l"),
        ]


async def test_articles_filed_before_label_ids_existed_get_theirs(engine: AsyncEngine) -> None:
    """The revision that put label ids on article rows takes them from the link tables, in
    filing order; an article filed nowhere keeps an empty list."""
    async with engine.connect() as connection:
        await run_alembic(connection, "downgrade", "7c1f3e9a2d44")
        await connection.commit()
        try:
            for statement in (
                "INSERT INTO topics (id, slug, name, article_count, follower_count,"
                " feed_version, feed_updated_at, created_at, updated_at) VALUES"
                " (901, 'economy', 'Economy', 1, 0, 0, :at, :at, :at),"
                " (902, 'energy', 'Energy', 1, 0, 0, :at, :at, :at)",
                "INSERT INTO authors (id, slug, name, article_count, follower_count, created_at)"
                " VALUES (903, 'li-wei', 'Li Wei', 1, 0, :at)",
                "INSERT INTO articles (pk, id, url, headline, summary, body, credits,"
                " published_at, updated_at, comment_count, reading_time_minutes, editors_pick,"
                " topic_names, author_names, content_hash, created_at) VALUES"
                " (901, 'filed', 'https://news.example/m/1', 'Filed', '[]', '', '[]', :at, :at,"
                " 0, 1, false, '[\"Energy\", \"Economy\"]', '[\"Li Wei\"]', 'x', :at),"
                " (902, 'nowhere', 'https://news.example/m/2', 'Nowhere', '[]', '', '[]', :at,"
                " :at, 0, 1, false, '[]', '[]', 'x', :at)",
                "INSERT INTO article_topics (article_id, topic_id, position, published_at)"
                " VALUES ('filed', 902, 0, :at), ('filed', 901, 1, :at)",
                "INSERT INTO article_authors (article_id, author_id, position, published_at)"
                " VALUES ('filed', 903, 0, :at)",
            ):
                await connection.execute(text(statement), {"at": datetime(2026, 1, 1, tzinfo=UTC)})
            await connection.commit()

            await run_alembic(connection, "upgrade", "head")
            await connection.commit()
            rows = await connection.execute(
                select(Article.id, Article.topic_ids, Article.author_ids).order_by(Article.id)
            )
            assert [tuple(row) for row in rows] == [
                ("filed", [902, 901], [903]),
                ("nowhere", [], []),
            ]
        finally:
            await connection.rollback()
            for statement in (
                "DELETE FROM article_topics WHERE article_id = 'filed'",
                "DELETE FROM article_authors WHERE article_id = 'filed'",
                "DELETE FROM articles WHERE pk IN (901, 902)",
                "DELETE FROM topics WHERE id IN (901, 902)",
                "DELETE FROM authors WHERE id = 903",
            ):
                await connection.execute(text(statement))
            await connection.commit()
            await run_alembic(connection, "upgrade", "head")
            await connection.commit()


async def test_summaries_stored_escaped_are_rewritten_and_found(engine: AsyncEngine) -> None:
    """Summaries stored before characters were kept as they are (``\\u00e9``) are rewritten
    by their revision, and search then finds their words; a plain one is left as it was."""
    async with engine.connect() as connection:
        await run_alembic(connection, "downgrade", "3d8a61c0b7f2")
        await connection.commit()
        try:
            await connection.execute(
                text(
                    "INSERT INTO articles (pk, id, url, headline, summary, body, credits,"
                    " published_at, updated_at, comment_count, reading_time_minutes,"
                    " editors_pick, topic_names, author_names, topic_ids, author_ids,"
                    " content_hash, created_at) VALUES"
                    " (911, 'escaped', 'https://news.example/m/11', 'One', :escaped, '', '[]',"
                    " :at, :at, 0, 1, false, '[]', '[]', :no_ids, :no_ids, 'x', :at),"
                    " (912, 'plain', 'https://news.example/m/12', 'Two', :plain, '', '[]',"
                    " :at, :at, 0, 1, false, '[]', '[]', :no_ids, :no_ids, 'x', :at)"
                ),
                {
                    "escaped": '["Caf\\u00e9 culture", "na\\u00efve \\"art\\""]',
                    "plain": '[ "Tea culture" ]',
                    "no_ids": [] if connection.dialect.name == "postgresql" else "[]",
                    "at": datetime(2026, 1, 1, tzinfo=UTC),
                },
            )
            await connection.commit()

            await run_alembic(connection, "upgrade", "head")
            await connection.commit()
            rows = await connection.execute(
                select(Article.id, cast(Article.summary, Text))
                .where(Article.pk.in_([911, 912]))
                .order_by(Article.pk)
            )
            assert [tuple(row) for row in rows] == [
                ("escaped", '["Café culture", "naïve \\"art\\""]'),
                ("plain", '[ "Tea culture" ]'),
            ]
            for word, found in (("café", ["escaped"]), ("naïve", ["escaped"]), ("u00e9", [])):
                condition = matches(connection.dialect.name, word)
                assert condition is not None
                hits = await connection.execute(select(Article.id).where(condition))
                assert list(hits.scalars()) == found, word
        finally:
            await connection.rollback()
            await connection.execute(text("DELETE FROM articles WHERE pk IN (911, 912)"))
            await connection.commit()
            await run_alembic(connection, "upgrade", "head")
            await connection.commit()
