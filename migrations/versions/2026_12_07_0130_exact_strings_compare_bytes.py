"""Identifiers, digests and URLs compare bytes on PostgreSQL (the "C" collation).

They are only ever matched whole, and ordered only where an id breaks a tie. Under the
database's collation every comparison an index made on them went through the C library's
strcoll; bytes are what SQLite and Python compare too. Changing a column's collation
rebuilds the indexes on it: on a large database, run this at a quiet hour.
SQLite is unchanged.

Revision ID: 9c2e5a7f3b14
Revises: 4e8a1c7d2b95
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9c2e5a7f3b14"
down_revision: str | None = "4e8a1c7d2b95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Table -> its columns of app.db.exact_string, with their lengths.
EXACT_STRINGS = {
    "users": {"id": 32},
    "refresh_tokens": {"id": 32, "user_id": 32, "token_hash": 64, "family_id": 32, "parent_id": 32},
    "api_keys": {"id": 32, "key_hash": 64},
    "articles": {"id": 32, "external_id": 200, "url": 2048, "content_hash": 64},
    "article_topics": {"article_id": 32},
    "article_authors": {"article_id": 32},
    "topic_subscriptions": {"user_id": 32},
    "author_subscriptions": {"user_id": 32},
    "topic_mutes": {"user_id": 32},
    "author_mutes": {"user_id": 32},
    "bookmarks": {"user_id": 32, "article_id": 32},
    "hidden_articles": {"user_id": 32, "article_id": 32},
    "feed_snapshots": {"id": 32, "user_id": 32},
    "reading_events": {"user_id": 32, "client_event_id": 64, "article_id": 32},
    "reader_articles": {"user_id": 32, "article_id": 32},
    "article_engagement": {"article_id": 32},
}


def _collate(collation: str) -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table, columns in EXACT_STRINGS.items():
        # One statement a table, so that an index on two of its columns is rebuilt once.
        changes = ", ".join(
            f'ALTER COLUMN {column} TYPE varchar({length}) COLLATE "{collation}"'
            for column, length in columns.items()
        )
        op.execute(f"ALTER TABLE {table} {changes}")


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
