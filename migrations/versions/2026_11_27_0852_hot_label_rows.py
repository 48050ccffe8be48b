"""Topic and author rows are updated by every filing: room for in-place (HOT) updates and
prompt vacuuming, on PostgreSQL.

Each article filed bumps its topics' counts and feed versions. With full pages every update
moves the row and leaves a dead version behind that foreign-key checks and updates then wade
through; free space on each page keeps the new version beside the old one, and vacuuming
after a few hundred updates rather than a fifth of the table keeps the chains short.

Revision ID: 7c1f3e9a2d44
Revises: 59cebad36372
Create Date: 2026-11-27 08:52:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c1f3e9a2d44"
down_revision: str | None = "59cebad36372"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("topics", "authors")
SETTINGS = {
    "fillfactor": "50",
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_threshold": "500",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    options = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET ({options})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET ({', '.join(SETTINGS)})")
