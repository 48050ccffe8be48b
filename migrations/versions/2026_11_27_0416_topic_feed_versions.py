"""Topic feed versions: cheap validators for partner feeds.

Revision ID: 2b926614e129
Revises: e27337a01d69
Create Date: 2026-11-27 04:16:25.679649
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "2b926614e129"
down_revision: str | None = "e27337a01d69"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("feed_version", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column(
                "feed_updated_at",
                app.db.UTCDateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_column("feed_updated_at")
        batch_op.drop_column("feed_version")
