"""Summaries stored with their characters as they are, so that search finds their words.

Summaries were stored as JSON with every non-ASCII character escaped (``"Caf\\u00e9"``), and
both search indexes read that text: such a word was found by neither, and its escape was
indexed as a word of its own. The app now stores characters as they are
(``app.db.json_text``); this rewrites the summaries stored before. Rewriting a row
re-indexes it (PostgreSQL's generated search vector, SQLite's update trigger). Only rows
holding an escape are touched, a thousand at a time.

Revision ID: 5be0f2a79c13
Revises: 3d8a61c0b7f2
Create Date: 2026-11-28 15:30:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5be0f2a79c13"
down_revision: str | None = "3d8a61c0b7f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    articles = sa.table("articles", sa.column("pk"), sa.column("summary"))
    stored = sa.cast(articles.c.summary, sa.Text) if postgres else articles.c.summary
    escaped = (
        sa.select(articles.c.pk, stored)
        .where(articles.c.pk > sa.bindparam("after"), stored.contains("\\u", autoescape=True))
        .order_by(articles.c.pk)
        .limit(CHUNK)
    )
    rewrite = sa.text(
        "UPDATE articles SET summary = "
        + ("CAST(:summary AS json)" if postgres else ":summary")
        + " WHERE pk = :pk"
    )
    after = 0
    while rows := bind.execute(escaped, {"after": after}).all():
        changed = [
            {"pk": pk, "summary": unescaped}
            for pk, text in rows
            if (unescaped := json.dumps(json.loads(text), ensure_ascii=False)) != text
        ]
        if changed:
            bind.execute(rewrite, changed)
        after = rows[-1][0]


def downgrade() -> None:
    # Escaped or not, a summary holds the same JSON: there is nothing to undo.
    pass
