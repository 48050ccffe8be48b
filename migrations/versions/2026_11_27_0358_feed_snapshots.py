"""Ranked feed snapshots for stable paging.

Revision ID: e27337a01d69
Revises: 7455f5693794
Create Date: 2026-11-27 03:58:47.342167
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "e27337a01d69"
down_revision: str | None = "7455f5693794"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_snapshots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_feed_snapshots_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_snapshots")),
    )
    with op.batch_alter_table("feed_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_snapshots_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feed_snapshots_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_snapshots_user_id"))
        batch_op.drop_index(batch_op.f("ix_feed_snapshots_expires_at"))

    op.drop_table("feed_snapshots")
