"""Topic and author shapes."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from app.articles.schemas import Name
from app.schemas import PLAIN_TEXT, WriteModel

Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=PLAIN_TEXT)
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

    name: Name | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def name_is_not_removed(self) -> "TopicUpdate":
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self
