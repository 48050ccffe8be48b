"""Articles, topics and authors, with full-text search.

Revision ID: ea2d8cb9e242
Revises: 7c9715abb99f
Create Date: 2026-11-27 03:43:35.739770
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "ea2d8cb9e242"
down_revision: str | None = "7c9715abb99f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SEARCH_COLUMNS = "headline, standfirst, summary, body"
SEARCH_NEW = "new.headline, new.standfirst, new.summary, new.body"
SEARCH_OLD = "old.headline, old.standfirst, old.summary, old.body"

POSTGRES_SEARCH = [
    """
    ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(headline, '')), 'A')
        || setweight(to_tsvector('english', coalesce(standfirst, '')), 'B')
        || setweight(to_tsvector('english', coalesce(summary::text, '')), 'B')
        || setweight(to_tsvector('english', coalesce(body, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
]
SQLITE_SEARCH = [
    f"""
    CREATE VIRTUAL TABLE article_search USING fts5(
        {SEARCH_COLUMNS}, content='articles', content_rowid='pk',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
        INSERT INTO article_search(rowid, {SEARCH_COLUMNS}) VALUES (new.pk, {SEARCH_NEW});
    END
    """,
    f"""
    CREATE TRIGGER articles_search_delete AFTER DELETE ON articles BEGIN
        INSERT INTO article_search(article_search, rowid, {SEARCH_COLUMNS})
        VALUES ('delete', old.pk, {SEARCH_OLD});
    END
    """,
    f"""
    CREATE TRIGGER articles_search_update AFTER UPDATE OF {SEARCH_COLUMNS} ON articles BEGIN
        INSERT INTO article_search(article_search, rowid, {SEARCH_COLUMNS})
        VALUES ('delete', old.pk, {SEARCH_OLD});
        INSERT INTO article_search(rowid, {SEARCH_COLUMNS}) VALUES (new.pk, {SEARCH_NEW});
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("headline", sa.String(length=300), nullable=False),
        sa.Column("standfirst", sa.Text(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("section", sa.String(length=100), nullable=True),
        sa.Column("credits", sa.JSON(), nullable=False),
        sa.Column("image", sa.JSON(), nullable=True),
        sa.Column("video", sa.JSON(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("region", sa.String(length=2), nullable=True),
        sa.Column("published_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("reading_time_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("editors_pick", sa.Boolean(), nullable=False),
        sa.Column("topic_names", sa.JSON(), nullable=False),
        sa.Column("author_names", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_articles")),
        sa.UniqueConstraint("external_id", name=op.f("uq_articles_external_id")),
        sa.UniqueConstraint("id", name=op.f("uq_articles_id")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_published_at_id", ["published_at", "id"], unique=False)
        batch_op.create_index(
            "ix_articles_section_published_at", ["section", "published_at"], unique=False
        )

    op.create_table(
        "authors",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("follower_count", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
        sa.UniqueConstraint("slug", name=op.f("uq_authors_slug")),
    )
    op.create_table(
        "topics",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("follower_count", sa.Integer(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
        sa.UniqueConstraint("slug", name=op.f("uq_topics_slug")),
    )
    op.create_table(
        "article_authors",
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column(
            "author_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("published_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_authors_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name=op.f("fk_article_authors_author_id_authors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "author_id", name=op.f("pk_article_authors")),
    )
    with op.batch_alter_table("article_authors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_article_authors_author_id_published_at",
            ["author_id", "published_at", "article_id"],
            unique=False,
        )

    op.create_table(
        "article_topics",
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("topic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("published_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_topics_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_article_topics_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "topic_id", name=op.f("pk_article_topics")),
    )
    with op.batch_alter_table("article_topics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_article_topics_topic_id_published_at",
            ["topic_id", "published_at", "article_id"],
            unique=False,
        )

    search = POSTGRES_SEARCH if op.get_bind().dialect.name == "postgresql" else SQLITE_SEARCH
    for statement in search:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_search_vector")
        op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
    else:
        for trigger in (
            "articles_search_update",
            "articles_search_delete",
            "articles_search_insert",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS article_search")

    with op.batch_alter_table("article_topics", schema=None) as batch_op:
        batch_op.drop_index("ix_article_topics_topic_id_published_at")

    op.drop_table("article_topics")
    with op.batch_alter_table("article_authors", schema=None) as batch_op:
        batch_op.drop_index("ix_article_authors_author_id_published_at")

    op.drop_table("article_authors")
    op.drop_table("topics")
    op.drop_table("authors")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_section_published_at")
        batch_op.drop_index("ix_articles_published_at_id")

    op.drop_table("articles")
