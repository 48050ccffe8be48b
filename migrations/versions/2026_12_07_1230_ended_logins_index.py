"""Revoked refresh tokens indexed by when they were revoked.

Every worker reads the logins ended lately (``app.auth.logins``) every few seconds, to refuse
their access tokens; the index holds only the revoked rows, the few a long table has.

Revision ID: 5f3a8c1e7d20
Revises: 2b7d9e4c1a63
Create Date: 2026-12-07 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5f3a8c1e7d20"
down_revision: str | None = "2b7d9e4c1a63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_refresh_tokens_revoked_at"
REVOKED = "revoked_at IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        INDEX,
        "refresh_tokens",
        ["revoked_at"],
        postgresql_where=sa.text(REVOKED),
        sqlite_where=sa.text(REVOKED),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="refresh_tokens")
