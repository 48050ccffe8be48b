"""Newsroom content: articles and the topics and authors they are filed under."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, ListArray, UTCDateTime, exact_string, new_id, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY (an alias of its rowid).
AutoIncrementKey = BigInteger().with_variant(Integer(), "sqlite")
# A list of label ids: an array on PostgreSQL, JSON on SQLite.
LabelIds = JSON().with_variant(ListArray(BigInteger()), "postgresql")


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(AutoIncrementKey, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    # Kept by the services that change them (atomic increments), so lists need no COUNT(*).
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    follower_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped whenever an article in the topic is filed, edited or retracted: the topic feed's
    # validators (ETag, Last-Modified) derive from these without rendering anything.
    feed_version: Mapped[int] = mapped_column(Integer, default=0)
    feed_updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(AutoIncrementKey, primary_key=True, autoincrement=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    follower_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        # Newest first across everything (and the cursor's tie-break on id).
        Index("ix_articles_published_at_id", "published_at", "id"),
        Index("ix_articles_section_published_at", "section", "published_at"),
        # Editors' picks, newest first: a few hundred entries however large the archive.
        Index(
            "ix_articles_live_editors_picks",
            "published_at",
            "id",
            postgresql_where=text("editors_pick AND retracted_at IS NULL"),
            # SQLite uses a partial index when the query repeats its terms: SQLAlchemy writes
            # a true boolean there as "= 1".
            sqlite_where=text("editors_pick = 1 AND retracted_at IS NULL"),
        ),
    )

    # The integer key exists for the SQLite full-text index (FTS5 wants a stable rowid);
    # clients only ever see the opaque ``id``.
    pk: Mapped[int] = mapped_column(AutoIncrementKey, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(exact_string(32), unique=True, default=new_id)
    external_id: Mapped[str | None] = mapped_column(exact_string(200), unique=True)
    url: Mapped[str] = mapped_column(exact_string(2048), unique=True)
    headline: Mapped[str] = mapped_column(String(300))
    standfirst: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[list[str]] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text, default="")
    section: Mapped[str | None] = mapped_column(String(100))
    credits: Mapped[list[str]] = mapped_column(JSON, default=list)
    image: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    video: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(35))
    region: Mapped[str | None] = mapped_column(String(2))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    reading_time_minutes: Mapped[int] = mapped_column(SmallInteger, default=1)
    editors_pick: Mapped[bool] = mapped_column(Boolean, default=False)
    # Topic and author names as given, in order: the article's own record of its filing.
    topic_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Their ids, in the same order (primary topic first): what ranking reads of an article's
    # filing, from the row it reads anyway, instead of from the link tables.
    topic_ids: Mapped[list[int]] = mapped_column(LabelIds, default=list)
    author_ids: Mapped[list[int]] = mapped_column(LabelIds, default=list)
    # SHA-256 of the article as last written: an identical re-send is "unchanged".
    content_hash: Mapped[str] = mapped_column(exact_string(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ArticleTopic(Base):
    """An article filed under a topic; ``position`` 0 is its primary topic.

    ``published_at`` is copied from the article so that "newest in topic T" is a range scan
    of one index, with no join before the limit.
    """

    __tablename__ = "article_topics"
    __table_args__ = (
        Index("ix_article_topics_topic_id_published_at", "topic_id", "published_at", "article_id"),
    )

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArticleAuthor(Base):
    __tablename__ = "article_authors"
    __table_args__ = (
        Index(
            "ix_article_authors_author_id_published_at", "author_id", "published_at", "article_id"
        ),
    )

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("authors.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
