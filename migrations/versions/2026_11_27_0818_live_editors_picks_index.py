"""Editors' picks index: the live picks, newest first, for every feed request.

Revision ID: 59cebad36372
Revises: 2b926614e129
Create Date: 2026-11-27 08:18:22.781600
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "59cebad36372"
down_revision: str | None = "2b926614e129"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_PICKS = "editors_pick AND retracted_at IS NULL"
LIVE_PICKS_SQLITE = "editors_pick = 1 AND retracted_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_articles_live_editors_picks",
            ["published_at", "id"],
            unique=False,
            postgresql_where=sa.text(LIVE_PICKS),
            sqlite_where=sa.text(LIVE_PICKS_SQLITE),
        )


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_live_editors_picks")
