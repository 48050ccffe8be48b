"""Full-text search in the database's own engine: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Both indexes cover headline, standfirst, summary and body, and are kept in step with every
write by the database itself (a generated column on PostgreSQL, triggers on SQLite); the
migration that adds article search creates them.
"""

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, literal_column, select, text

from app.models import Article

SEARCH_CONFIG = "english"
SQLITE_SEARCH_TABLE = "article_search"
POSTGRES_SEARCH_COLUMN = "search_vector"
POSTGRES_SEARCH_INDEX = "ix_articles_search_vector"

_TOKEN = re.compile(r"\w+", re.UNICODE)


def is_search_object(name: str | None) -> bool:
    """Schema objects owned by search, which the models do not describe (for `alembic check`)."""
    if name is None:
        return False
    return name.startswith(SQLITE_SEARCH_TABLE) or name in {
        POSTGRES_SEARCH_COLUMN,
        POSTGRES_SEARCH_INDEX,
    }


def include_in_autogenerate(name: str | None, _type: str, _parents: object) -> bool:
    """Alembic's ``include_name`` hook: compare everything but the search objects."""
    return not is_search_object(name)


def matches(dialect: str, query: str) -> ColumnElement[bool] | None:
    """A condition on articles for a user's query, or None when it has nothing to search for.

    Users type words, not query syntax: every word must match (stemmed, accents folded), and
    quotes, operators or brackets cannot produce a syntax error.
    """
    words = _TOKEN.findall(query)
    if not words:
        return None
    if dialect == "postgresql":
        condition: Any = literal_column(f"articles.{POSTGRES_SEARCH_COLUMN}").op("@@")(
            text(f"plainto_tsquery('{SEARCH_CONFIG}', :search_words)").bindparams(
                bindparam("search_words", " ".join(words))
            )
        )
        return condition  # type: ignore[no-any-return]
    fts_query = " ".join('"' + word.replace('"', "") + '"' for word in words)
    rowids: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text(SQLITE_SEARCH_TABLE))
        .where(
            text(f"{SQLITE_SEARCH_TABLE} MATCH :search_words").bindparams(
                bindparam("search_words", fts_query)
            )
        )
    )
    return Article.pk.in_(rowids)
