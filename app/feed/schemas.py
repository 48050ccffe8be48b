"""Feed, trending and interest shapes."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.articles.schemas import ArticleSummary
from app.reader.schemas import LabelRef

ReasonCode = Literal[
    "followed_topic", "followed_author", "inferred_interest", "trending", "recent", "editors_pick"
]


class ReasonOut(BaseModel):
    code: ReasonCode
    topic: str | None = Field(None, description="Slug of the topic behind the reason.")
    author: str | None = Field(None, description="Slug of the author behind the reason.")


class FeedItem(BaseModel):
    article: ArticleSummary
    score: float
    reasons: list[ReasonOut] = Field(min_length=1)


class FeedPage(BaseModel):
    items: list[FeedItem]
    next_cursor: str | None
    generated_at: datetime


class TrendingItem(BaseModel):
    article: ArticleSummary
    score: float = Field(description="Decayed engagement over the window.")


class TrendingPage(BaseModel):
    items: list[TrendingItem]
    next_cursor: None = None


class Evidence(BaseModel):
    opens: int
    reads: int
    likes: int
    dislikes: int
    shares: int


class TopicInterest(BaseModel):
    topic: LabelRef
    weight: float
    followed: bool
    evidence: Evidence


class AuthorInterest(BaseModel):
    author: LabelRef
    weight: float
    followed: bool
    evidence: Evidence


class Interests(BaseModel):
    topics: list[TopicInterest]
    authors: list[AuthorInterest]
