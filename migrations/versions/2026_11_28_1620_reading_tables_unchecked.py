"""The tables every reading event writes to lose their foreign keys.

Recording a batch of events inserts or updates a row in each of reading_events,
reader_articles and article_engagement per event. Their five foreign keys cost each event
five lookups and key-share locks on the user and article rows, about a third of PostgreSQL's
time for a batch, while the recording statement already writes only for articles it has just
found and while it holds the reader's row locked. Deleting an account now deletes the
reader's rows from these tables itself (``app.reader.recording.forget_reader``); articles are
never deleted, only retracted.

On SQLite the three tables are rebuilt without the keys (batch mode). Downgrading deletes
rows whose user or article is gone, then adds the keys back.

Revision ID: 8e41c7d2a5b9
Revises: 5be0f2a79c13
Create Date: 2026-11-28 16:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "8e41c7d2a5b9"
down_revision: str | None = "5be0f2a79c13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Table -> the columns that referenced users.id and articles.id.
KEYS = {
    "reading_events": {"user_id": "users", "article_id": "articles"},
    "reader_articles": {"user_id": "users", "article_id": "articles"},
    "article_engagement": {"article_id": "articles"},
}


def _name(table: str, column: str, referred: str) -> str:
    return f"fk_{table}_{column}_{referred}"


def upgrade() -> None:
    for table, columns in KEYS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, referred in columns.items():
                batch_op.drop_constraint(_name(table, column, referred), type_="foreignkey")


def downgrade() -> None:
    for table, columns in KEYS.items():
        for column, referred in columns.items():
            op.execute(
                f"DELETE FROM {table} WHERE NOT EXISTS"
                f" (SELECT 1 FROM {referred} WHERE {referred}.id = {table}.{column})"
            )
        with op.batch_alter_table(table) as batch_op:
            for column, referred in columns.items():
                batch_op.create_foreign_key(
                    _name(table, column, referred),
                    referred,
                    [column],
                    ["id"],
                    ondelete="CASCADE",
                )
