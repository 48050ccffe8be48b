"""Ranked feed snapshots: what a reader's first page was cut from, kept for paging."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CompactJSON, UTCDateTime, exact_string, new_id


class FeedSnapshot(Base):
    """One ranked feed, so that following its cursor never repeats or skips an article.

    ``items`` holds ``[article_id, score, [[reason code, topic slug, author slug], ...]]``
    in rank order.
    """

    __tablename__ = "feed_snapshots"

    id: Mapped[str] = mapped_column(exact_string(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    items: Mapped[list[Any]] = mapped_column(CompactJSON)
