"""Shapes of a reader's own state."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictInt, StringConstraints

from app.articles.schemas import ArticleSummary
from app.schemas import PLAIN_TEXT, Timestamp, WriteModel

EventType = Literal["impression", "open", "read", "share", "like", "dislike"]
MAX_EVENTS_PER_CALL = 500


class LabelRef(BaseModel):
    slug: str
    name: str


class Subscriptions(BaseModel):
    topics: list[LabelRef]
    authors: list[LabelRef]


class MuteIn(WriteModel):
    until: Timestamp | None = Field(
        None, description="When the mute ends by itself (a snooze); omit to mute until removed."
    )


class MutedLabel(LabelRef):
    until: datetime | None


class Mutes(BaseModel):
    topics: list[MutedLabel]
    authors: list[MutedLabel]


class BookmarkOut(BaseModel):
    article: ArticleSummary
    bookmarked_at: datetime


class HistoryEntry(BaseModel):
    article: ArticleSummary
    last_read_at: datetime = Field(description="The latest open or read of the article.")


class EventIn(WriteModel):
    id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=PLAIN_TEXT)] = Field(
        description="The client's own id for the event: sending it again records nothing."
    )
    type: EventType
    article_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=PLAIN_TEXT)]
    occurred_at: Timestamp
    dwell_ms: StrictInt | None = Field(None, ge=0, le=86_400_000)


class EventBatch(WriteModel):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS_PER_CALL)


class RejectedEvent(BaseModel):
    index: int
    reason: str


class EventsAccepted(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[RejectedEvent]
