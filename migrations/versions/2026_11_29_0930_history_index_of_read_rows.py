"""The history index holds only the reader rows that were opened or read.

History lists a reader's rows with a ``last_read_at``, newest first. Most rows have none:
stories only seen in a list (impressions). They were in the index all the same, and each
batch of events wrote them into it; the index now leaves them out, so writing such a row
skips it, and the index is about half its size.

Revision ID: 7d4b2f9e6a18
Revises: 2c71e9b4d0a6
Create Date: 2026-11-29 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d4b2f9e6a18"
down_revision: str | None = "2c71e9b4d0a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_reader_articles_user_id_last_read_at"
COLUMNS = ["user_id", "last_read_at", "article_id"]
READ = "last_read_at IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("reader_articles") as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(
            INDEX, COLUMNS, postgresql_where=sa.text(READ), sqlite_where=sa.text(READ)
        )


def downgrade() -> None:
    with op.batch_alter_table("reader_articles") as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(INDEX, COLUMNS)
