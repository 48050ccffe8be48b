"""Topic and author shapes."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from app.articles.schemas import Name
from app.schemas import PLAIN_AS_SENT, PLAIN_TEXT, WriteModel, omittable

Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000, pattern=PLAIN_TEXT),
    PLAIN_AS_SENT,
]


class TopicOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    description: str | None
    follower_count: int
    article_count: int


class AuthorOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    slug: str
    name: str
    follower_count: int
    article_count: int


class TopicIn(WriteModel):
    name: Name
    description: Description | None = None


class TopicUpdate(WriteModel):
    """The slug never changes (clients and partners address the topic by it)."""

    name: Name = omittable(description="May be left out, not sent as null.")
    description: Description | None = None
