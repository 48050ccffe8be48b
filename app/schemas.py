"""Shapes shared by every feature's request and response bodies."""

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

# Client text never holds NUL or other control characters (tab and newlines aside): they
# break XML feeds and terminals, and no headline or name needs them.
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


_PLAIN_TEXT = re.compile(PLAIN_TEXT)


def _plain_as_sent(value: Any) -> Any:
    """``PLAIN_TEXT`` asked of text as it was sent: a field that strips the whitespace around
    it would otherwise take a vertical tab or form feed at either end, which its pattern (in
    the OpenAPI document too) refuses."""
    if isinstance(value, str) and not _PLAIN_TEXT.match(value):
        raise ValueError("must not contain control characters (tabs and newlines aside)")
    return value


# For text fields that strip whitespace: ``Annotated[str, StringConstraints(...), PLAIN_AS_SENT]``.
PLAIN_AS_SENT = BeforeValidator(_plain_as_sent)

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _rfc3339_text(value: Any) -> Any:
    if not isinstance(value, datetime) and not (isinstance(value, str) and _RFC3339.match(value)):
        raise ValueError(
            "must be an RFC 3339 timestamp with a time zone, e.g. 2026-11-27T02:05:56Z"
        )
    return value


# The first and last moments of the years 1 to 9999: PostgreSQL's driver stores them as
# -infinity and infinity, and reads those back as times in no zone.
_ENDS_OF_TIME = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))


def _within_utc_years(value: datetime) -> datetime:
    """Stored and compared in UTC: 0001-01-01T00:00:00+14:00 is in year 0 there. (An offset
    is less than a day, so only the first and last years can leave the range.) The range's
    two ends are outside it too: no record is of either, and a client's "zero time" (Go's
    is 0001-01-01T00:00:00Z) must not become an infinity."""
    if value.year in (1, 9999):
        try:
            in_utc = value.astimezone(UTC)
        except OverflowError:
            in_utc = None
        if in_utc is None or in_utc in _ENDS_OF_TIME:
            raise ValueError(
                "must fall after 0001-01-01T00:00:00Z and before 9999-12-31T23:59:59.999999Z"
            )
    return value


# A timestamp a client sends: RFC 3339 text with an offset (no bare numbers, no naive times),
# of a moment that has a UTC time.
Timestamp = Annotated[
    AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_within_utc_years)
]


# A BCP 47 language tag, e.g. "en" or "en-GB"; 35 characters at most, as stored.
Language = Annotated[
    str, StringConstraints(max_length=35, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
]


class WriteModel(BaseModel):
    """A request body: unknown fields are refused, so nothing can be mass-assigned."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An RFC 9457 problem: every error response."""

    type: str
    title: str
    status: int
    detail: str


class FieldError(BaseModel):
    field: str
    message: str


class ValidationProblem(Problem):
    """A 422: which fields are wrong and why (never the submitted values)."""

    errors: list[FieldError]


def _absent() -> None:
    return None


def omittable(**constraints: Any) -> Any:
    """A field a PATCH may leave out but not send as null (it holds None only when absent)."""
    return Field(default_factory=_absent, **constraints)
