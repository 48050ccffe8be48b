"""Lists: the ``limit`` parameter, and opaque cursors that are signed and bound to their query.

A cursor carries the position after the last item served. It is signed with the app's secret,
names the endpoint, a fingerprint of the filters and the caller it was issued to, and expires.
Anything else (edited, truncated, replayed on another endpoint or by another caller, stale) is
a 400 problem.
"""

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin
from pydantic import BaseModel, BeforeValidator, Field

from app.config import Settings, SettingsDep
from app.errors import InvalidCursor

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Long enough to page through a list at leisure; short enough that old links stop working.
CURSOR_MAX_AGE_SECONDS = 24 * 3600


# Plain sizes up to this are read before routing (``limit_asked``); larger ones, rare, go to
# the routes, which clamp them just the same.
READ_EARLY_MAX = 1_000_000
# Longer than any cursor this app issues: refused unread.
CURSOR_MAX_LENGTH = 2048


def _read_digits(value: object) -> object:
    """A size written in ASCII digits as a number, however many digits it has: one with more
    significant digits than MAX_LIMIT asks for more than MAX_LIMIT, and is not converted
    (converting a number takes time that grows faster than its length)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        significant = value.lstrip("0")
        return MAX_LIMIT if len(significant) > len(str(MAX_LIMIT)) else int(significant or "0")
    return value


# Any positive integer; the routes read one above MAX_LIMIT as MAX_LIMIT. The bound comes
# before the validator, so that the OpenAPI document states it as ``minimum``.
PageSize = Annotated[int, Field(ge=1), BeforeValidator(_read_digits)]


async def clamp_limit(
    limit: Annotated[
        PageSize, Query(description=f"Page size; above {MAX_LIMIT} means {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
) -> int:
    return min(limit, MAX_LIMIT)


def limit_asked(values: list[str], default: int) -> int | None:
    """The size the ``limit`` query parameter's ``values`` ask for, as the routes read it; None
    when they would refuse it, or might read it otherwise (anything but one number written
    plainly: ASCII digits, no sign, no leading zero), or it is above READ_EARLY_MAX."""
    if not values:
        return default
    text = values[0]
    plain = text.isascii() and text.isdigit() and not text.startswith("0")
    # Its length first: a long number is not worth converting.
    if len(values) > 1 or not plain or len(text) > len(str(READ_EARLY_MAX)):
        return None
    return min(int(text), MAX_LIMIT) if int(text) <= READ_EARLY_MAX else None


Limit = Annotated[int, Depends(clamp_limit)]
# No length limit here: an over-long cursor is refused as any bad one is (CursorCodec.decode).
CursorParam = Annotated[
    str | None,
    Query(description="`next_cursor` of the previous page; omit for the first."),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Null on the last page.")


class _CursorSerializer(URLSafeTimedSerializer):
    """``URLSafeTimedSerializer`` that does not compress what it signs. A cursor is ~100
    bytes of JSON that zlib shortens by a few, and setting up a deflate stream for each
    cursor took twice as long as signing it. Cursors compressed before still load."""

    def dump_payload(self, obj: Any) -> bytes:
        # The JSON of the serializer under the URL-safe mixin, which would compress it.
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))


@functools.lru_cache(maxsize=16)
def _serializer_for(secret_key: str) -> URLSafeTimedSerializer:
    """One per secret: making a serializer costs more than some cursors take to sign."""
    return _CursorSerializer(secret_key, salt="mynews.cursor.v1")


@dataclass(frozen=True)
class CursorCodec:
    """Signs and checks cursors for one endpoint, query and caller."""

    settings: Settings

    def _serializer(self) -> URLSafeTimedSerializer:
        return _serializer_for(self.settings.secret_key)

    @staticmethod
    def binding(endpoint: str, filters: Mapping[str, Any], caller: str | None) -> str:
        canonical = json.dumps(
            {"endpoint": endpoint, "filters": filters, "caller": caller or ""},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]

    def encode(self, binding: str, position: list[Any]) -> str:
        return self._serializer().dumps({"b": binding, "p": position})

    def decode(self, cursor: str, binding: str, max_age: int = CURSOR_MAX_AGE_SECONDS) -> list[Any]:
        if len(cursor) > CURSOR_MAX_LENGTH:
            # Never issued here: not worth checking its signature, whatever its length.
            raise InvalidCursor("This cursor is not valid.")
        try:
            payload = self._serializer().loads(cursor, max_age=max_age)
        except SignatureExpired:
            raise InvalidCursor(
                "This cursor has expired; start again from the first page."
            ) from None
        except BadSignature:
            raise InvalidCursor("This cursor is not valid.") from None
        if not isinstance(payload, dict) or payload.get("b") != binding:
            raise InvalidCursor("This cursor belongs to another list, query or caller.")
        position = payload.get("p")
        if not isinstance(position, list):
            raise InvalidCursor("This cursor is not valid.")
        return position

    def encode_position(self, binding: str, position: tuple[datetime, str]) -> str:
        """A cursor after (published_at, id): the keyset of newest-first lists."""
        return self.encode(binding, [position[0].isoformat(), position[1]])

    def decode_position(self, cursor: str, binding: str) -> tuple[datetime, str]:
        match self.decode(cursor, binding):
            case [str(moment), str(ident)]:
                try:
                    parsed = datetime.fromisoformat(moment)
                except ValueError:
                    pass
                else:
                    if parsed.tzinfo is not None:
                        return parsed, ident
        raise InvalidCursor("This cursor is not valid.")

    def decode_strings(self, cursor: str, binding: str, count: int) -> tuple[str, ...]:
        """A position of ``count`` strings (e.g. name and slug)."""
        position = self.decode(cursor, binding)
        if len(position) != count or not all(isinstance(p, str) for p in position):
            raise InvalidCursor("This cursor is not valid.")
        return tuple(position)


async def cursor_codec(settings: SettingsDep) -> CursorCodec:
    return CursorCodec(settings)


Cursors = Annotated[CursorCodec, Depends(cursor_codec)]
