"""Reader state: follows, mutes, bookmarks, hides, reading events and engagement.

Revision ID: 7455f5693794
Revises: ea2d8cb9e242
Create Date: 2026-11-27 03:52:00.667644
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "7455f5693794"
down_revision: str | None = "ea2d8cb9e242"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_engagement",
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("bucket_start", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("impressions", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.Column("reads", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.Column("dislikes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_engagement_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "article_id", "bucket_start", "shard", name=op.f("pk_article_engagement")
        ),
    )
    with op.batch_alter_table("article_engagement", schema=None) as batch_op:
        batch_op.create_index("ix_article_engagement_bucket_start", ["bucket_start"], unique=False)

    op.create_table(
        "author_mutes",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column(
            "author_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("until", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name=op.f("fk_author_mutes_author_id_authors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_author_mutes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "author_id", name=op.f("pk_author_mutes")),
    )
    op.create_table(
        "author_subscriptions",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column(
            "author_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name=op.f("fk_author_subscriptions_author_id_authors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_author_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "author_id", name=op.f("pk_author_subscriptions")),
    )
    op.create_table(
        "bookmarks",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_bookmarks_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_bookmarks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "article_id", name=op.f("pk_bookmarks")),
    )
    with op.batch_alter_table("bookmarks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bookmarks_user_id_created_at", ["user_id", "created_at", "article_id"], unique=False
        )

    op.create_table(
        "hidden_articles",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_hidden_articles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_hidden_articles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "article_id", name=op.f("pk_hidden_articles")),
    )
    op.create_table(
        "reader_articles",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("impressed_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("shared_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("liked_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disliked_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_read_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dwell_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_reader_articles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reader_articles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "article_id", name=op.f("pk_reader_articles")),
    )
    with op.batch_alter_table("reader_articles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reader_articles_user_id_last_read_at",
            ["user_id", "last_read_at", "article_id"],
            unique=False,
        )

    op.create_table(
        "reading_events",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("client_event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("dwell_ms", sa.Integer(), nullable=True),
        sa.Column("received_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_reading_events_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reading_events_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "client_event_id", name=op.f("pk_reading_events")),
    )
    with op.batch_alter_table("reading_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reading_events_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "topic_mutes",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("topic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("until", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_topic_mutes_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_topic_mutes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "topic_id", name=op.f("pk_topic_mutes")),
    )
    op.create_table(
        "topic_subscriptions",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("topic_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_topic_subscriptions_topic_id_topics"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_topic_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "topic_id", name=op.f("pk_topic_subscriptions")),
    )


def downgrade() -> None:
    op.drop_table("topic_subscriptions")
    op.drop_table("topic_mutes")
    with op.batch_alter_table("reading_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reading_events_article_id"))

    op.drop_table("reading_events")
    with op.batch_alter_table("reader_articles", schema=None) as batch_op:
        batch_op.drop_index("ix_reader_articles_user_id_last_read_at")

    op.drop_table("reader_articles")
    op.drop_table("hidden_articles")
    with op.batch_alter_table("bookmarks", schema=None) as batch_op:
        batch_op.drop_index("ix_bookmarks_user_id_created_at")

    op.drop_table("bookmarks")
    op.drop_table("author_subscriptions")
    op.drop_table("author_mutes")
    with op.batch_alter_table("article_engagement", schema=None) as batch_op:
        batch_op.drop_index("ix_article_engagement_bucket_start")

    op.drop_table("article_engagement")
