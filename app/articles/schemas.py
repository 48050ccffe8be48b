"""Article shapes: what the newsroom writes, and the full and summary forms clients read."""

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    WithJsonSchema,
    field_validator,
)

from app.schemas import PLAIN_AS_SENT, PLAIN_TEXT, Language, Timestamp, WriteModel, omittable

MAX_TOPICS = 10
MAX_AUTHORS = 10
# A CMS may schedule a story a little ahead; anything further is a mistake in the data.
MAX_SCHEDULED_AHEAD = timedelta(days=1)
# A story read in more than a day is a mistake in the data.
MAX_READING_TIME_MINUTES = 1440


def _single_line(max_length: int, min_length: int = 1) -> object:
    """One line of text, the whitespace around it stripped; its fields add ``PLAIN_AS_SENT``,
    so that the pattern holds for what was sent, not only for what is left."""
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=PLAIN_TEXT
    )


MAX_URL_LENGTH = 2048  # the url column's size
_http_url_adapter: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)
# Normalising would store something else than was sent: NUL and DEL percent-encoded, tabs and
# newlines dropped. A URL never needs a control character, so one is refused.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def _http_url(value: str) -> str:
    if _CONTROL_CHARACTER.search(value):
        raise ValueError("must not contain control characters")
    url = str(_http_url_adapter.validate_python(value))
    # Normalising percent-encodes what is not ASCII ("é" becomes "%C3%A9"): the limit is on
    # what is stored.
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(
            f"must be at most {MAX_URL_LENGTH} characters once normalised (percent-encoded)"
        )
    return url


HttpUrl = Annotated[
    str,
    StringConstraints(max_length=MAX_URL_LENGTH),
    AfterValidator(_http_url),
    WithJsonSchema({"type": "string", "format": "uri", "maxLength": MAX_URL_LENGTH}),
]
Text = Annotated[str, StringConstraints(max_length=200_000, pattern=PLAIN_TEXT)]


# A topic or author name; its slug is derived from it (see app.slugs.slug_for).
Name = Annotated[str, _single_line(120), PLAIN_AS_SENT]
SummaryPoint = Annotated[str, _single_line(500), PLAIN_AS_SENT]
Credit = Annotated[str, _single_line(200), PLAIN_AS_SENT]


class Image(WriteModel):
    url: HttpUrl
    caption: Annotated[str, _single_line(1000), PLAIN_AS_SENT] | None = None
    credit: Annotated[str, _single_line(200), PLAIN_AS_SENT] | None = None


class Video(WriteModel):
    url: HttpUrl
    title: Annotated[str, _single_line(300), PLAIN_AS_SENT] | None = None
    duration_seconds: StrictInt | None = Field(None, ge=0, le=86_400)


class ArticleFields(WriteModel):
    """Every writable field, all optional: the shape of a PATCH.

    Fields an article cannot do without may be left out of a PATCH but not sent as null.
    """

    external_id: Annotated[str, _single_line(200), PLAIN_AS_SENT] | None = None
    url: HttpUrl = omittable()
    headline: Annotated[str, _single_line(300), PLAIN_AS_SENT] = omittable()
    standfirst: Annotated[str, _single_line(1000, 0), PLAIN_AS_SENT] | None = None
    summary: list[SummaryPoint] = omittable(max_length=10)
    body: Text = omittable()
    section: Annotated[str, _single_line(100), PLAIN_AS_SENT] | None = None
    topics: list[Name] = omittable(min_length=1, max_length=MAX_TOPICS)
    authors: list[Name] = omittable(max_length=MAX_AUTHORS)
    credits: list[Credit] = omittable(max_length=10)
    image: Image | None = None
    video: Video | None = None
    language: Language | None = None
    region: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    published_at: Timestamp = omittable()
    updated_at: Timestamp | None = None
    comment_count: StrictInt = omittable(ge=0, le=10_000_000)
    reading_time_minutes: StrictInt | None = Field(
        None,
        ge=1,
        le=MAX_READING_TIME_MINUTES,
        description="Minutes to read the story, as the newsroom reckons it. Left out (or "
        "null), it is derived from the body at 230 words a minute; a PATCH that changes the "
        "body without it derives it again.",
    )
    editors_pick: StrictBool = omittable()

    @field_validator("published_at", "updated_at")
    @classmethod
    def in_utc_not_far_ahead(cls, value: datetime | None) -> datetime | None:
        """Stored in UTC, so one instant written with two offsets is one value."""
        if value is None:
            return None
        if value > datetime.now(UTC) + MAX_SCHEDULED_AHEAD:
            raise ValueError("must not be more than a day in the future")
        return value.astimezone(UTC)


class ArticleIn(ArticleFields):
    """A new article. ``topics`` and ``authors`` are names, matched by slug or created."""

    url: HttpUrl
    headline: Annotated[str, _single_line(300), PLAIN_AS_SENT]
    published_at: Timestamp
    topics: list[Name] = Field(min_length=1, max_length=MAX_TOPICS)
    authors: list[Name] = Field(default_factory=list, max_length=MAX_AUTHORS)
    summary: list[SummaryPoint] = Field(default_factory=list, max_length=10)
    credits: list[Credit] = Field(default_factory=list, max_length=10)
    body: Text = ""
    comment_count: StrictInt = Field(0, ge=0, le=10_000_000)
    editors_pick: StrictBool = False


class ArticleBatchIn(WriteModel):
    # Any JSON value: an item that is not even an object is one bad item, reported in its
    # result, not a reason to refuse the others.
    articles: list[Any] = Field(
        min_length=1,
        max_length=500,
        description="Up to 500 articles, each in the shape of `POST /v1/articles`. Each is "
        "checked on its own: a bad one (even one that is not an object) is reported in its "
        "result and does not fail the others.",
    )


class TopicRef(BaseModel):
    slug: str
    name: str


class AuthorRef(BaseModel):
    slug: str
    name: str


class ImageOut(BaseModel):
    url: str
    caption: str | None = None
    credit: str | None = None


class VideoOut(BaseModel):
    url: str
    title: str | None = None
    duration_seconds: int | None = None


class ArticleSummary(BaseModel):
    """An article as lists and feeds show it: everything but the body."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    external_id: str | None
    url: str
    headline: str
    standfirst: str | None
    summary: list[str]
    section: str | None
    topics: list[TopicRef]
    authors: list[AuthorRef]
    credits: list[str]
    image: ImageOut | None
    video: VideoOut | None
    language: str | None
    region: str | None
    published_at: datetime
    updated_at: datetime
    comment_count: int
    reading_time_minutes: int
    editors_pick: bool


class Article(ArticleSummary):
    body: str


class BatchResult(BaseModel):
    index: int
    status: Literal["created", "updated", "unchanged", "error"]
    id: str | None = None
    error: str | None = None


class BatchOut(BaseModel):
    results: list[BatchResult]
