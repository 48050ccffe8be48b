"""What each reader tells us: follows, mutes, bookmarks, hides, and reading events.

Every row belongs to one user and goes when the account goes: by foreign keys that cascade,
except in the three tables every reading event writes to (events, reader state, engagement
counts). Their keys would cost each event five lookups and row locks, a third of what
PostgreSQL spends recording a batch, and guard nothing the recording statement does not:
it writes only for articles it has just found, while it holds a lock on the reader's row.
Deleting an account deletes those rows itself (``app.reader.recording.forget_reader``).
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, exact_string, utcnow


def _user_key() -> Mapped[str]:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def _article_key() -> Mapped[str]:
    return mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)


def _unchecked_key() -> Mapped[str]:
    """A user or article id in a table every reading event writes (no foreign key)."""
    return mapped_column(exact_string(32), primary_key=True)


class TopicSubscription(Base):
    __tablename__ = "topic_subscriptions"

    user_id: Mapped[str] = _user_key()
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuthorSubscription(Base):
    __tablename__ = "author_subscriptions"

    user_id: Mapped[str] = _user_key()
    author_id: Mapped[int] = mapped_column(
        ForeignKey("authors.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TopicMute(Base):
    __tablename__ = "topic_mutes"

    user_id: Mapped[str] = _user_key()
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    # A snooze ends by itself at ``until``; a mute without one lasts until removed.
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuthorMute(Base):
    __tablename__ = "author_mutes"

    user_id: Mapped[str] = _user_key()
    author_id: Mapped[int] = mapped_column(
        ForeignKey("authors.id", ondelete="CASCADE"), primary_key=True
    )
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Bookmark(Base):
    __tablename__ = "bookmarks"
    __table_args__ = (
        Index("ix_bookmarks_user_id_created_at", "user_id", "created_at", "article_id"),
    )

    user_id: Mapped[str] = _user_key()
    article_id: Mapped[str] = _article_key()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HiddenArticle(Base):
    __tablename__ = "hidden_articles"

    user_id: Mapped[str] = _user_key()
    article_id: Mapped[str] = _article_key()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReadingEvent(Base):
    """One event as the client sent it; its client id makes a retried batch harmless."""

    __tablename__ = "reading_events"

    user_id: Mapped[str] = _unchecked_key()
    client_event_id: Mapped[str] = mapped_column(exact_string(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    article_id: Mapped[str] = mapped_column(exact_string(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dwell_ms: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReaderArticle(Base):
    """One reader's relation to one article, folded from their events.

    Each signal is recorded once, when it is first recorded: a reader who opens a story ten
    times has opened it, and counts once towards its engagement.
    """

    __tablename__ = "reader_articles"
    __table_args__ = (
        # History, newest first. Only rows the reader opened or read are in it: most rows are
        # stories only seen in a list, and writing them skips this index.
        Index(
            "ix_reader_articles_user_id_last_read_at",
            "user_id",
            "last_read_at",
            "article_id",
            postgresql_where=text("last_read_at IS NOT NULL"),
            sqlite_where=text("last_read_at IS NOT NULL"),
        ),
    )

    user_id: Mapped[str] = _unchecked_key()
    article_id: Mapped[str] = _unchecked_key()
    impressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    liked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disliked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The latest open or read: history's order, and null for articles only seen in a list.
    last_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dwell_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    # The signals this row's latest write set for the first time, a bit each: how PostgreSQL's
    # batch statement learns, under the row's lock, which signals count towards engagement.
    newly_set: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


class ArticleEngagement(Base):
    """Readers' engagement with an article, per hour and per shard of readers.

    Counting into (article, hour, shard) rows keeps a viral story from becoming one hot row
    that every writer queues on; readers are spread over shards by their id, and a read adds
    the shards up.
    """

    __tablename__ = "article_engagement"
    __table_args__ = (Index("ix_article_engagement_bucket_start", "bucket_start"),)

    article_id: Mapped[str] = _unchecked_key()
    bucket_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    impressions: Mapped[int] = mapped_column(Integer, default=0)
    opens: Mapped[int] = mapped_column(Integer, default=0)
    reads: Mapped[int] = mapped_column(Integer, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    dislikes: Mapped[int] = mapped_column(Integer, default=0)


__all__ = [
    "ArticleEngagement",
    "AuthorMute",
    "AuthorSubscription",
    "Bookmark",
    "HiddenArticle",
    "ReaderArticle",
    "ReadingEvent",
    "TopicMute",
    "TopicSubscription",
]
