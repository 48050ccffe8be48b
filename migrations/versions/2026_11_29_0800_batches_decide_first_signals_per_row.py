"""Reader rows carry the signals their latest write set first; the unread index on events
goes.

PostgreSQL records a batch of events in one statement, which used to run after a statement
of its own locking the reader's row, so that what it read of the reader's rows before
writing them was still true when it wrote them. The batch now learns which signals are new
to a row from the upsert of that row itself, under the row's lock: the upsert stores them in
``reader_articles.newly_set`` (one bit per signal) and returns them. Existing rows start at
0, which no write reads.

``ix_reading_events_article_id`` served the foreign key to articles that
``8e41c7d2a5b9`` dropped; no query reads it, and every event paid an insert into it.

Revision ID: 2c71e9b4d0a6
Revises: 8e41c7d2a5b9
Create Date: 2026-11-29 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2c71e9b4d0a6"
down_revision: str | None = "8e41c7d2a5b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table.
    with op.batch_alter_table("reader_articles") as batch_op:
        batch_op.add_column(
            sa.Column("newly_set", sa.SmallInteger(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("reading_events") as batch_op:
        batch_op.drop_index("ix_reading_events_article_id")


def downgrade() -> None:
    with op.batch_alter_table("reading_events") as batch_op:
        batch_op.create_index("ix_reading_events_article_id", ["article_id"], unique=False)
    with op.batch_alter_table("reader_articles") as batch_op:
        batch_op.drop_column("newly_set")
