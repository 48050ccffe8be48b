"""Cursors: signed with the app's secret, so only the app that issued one accepts it, and
refused unread when longer than any it issues. Sizes read before routing."""

import secrets

import pytest
from itsdangerous import URLSafeTimedSerializer

from app.config import Settings
from app.errors import InvalidCursor
from app.pagination import CURSOR_MAX_LENGTH, DEFAULT_LIMIT, CursorCodec, limit_asked

BINDING = CursorCodec.binding("articles", {"topic": "energy"}, None)


def codec(secret: str) -> CursorCodec:
    return CursorCodec(Settings(env="test", secret_key=secret))


def test_a_cursor_is_accepted_by_its_own_secret_and_refused_under_another() -> None:
    first, second = codec("first-secret-" + "x" * 40), codec("second-secret-" + "y" * 40)
    cursor = first.encode(BINDING, ["2026-11-27T12:00:00+00:00", "a1"])
    # Serializers are kept per secret: each codec still signs and checks with its own.
    assert first.decode(cursor, BINDING) == ["2026-11-27T12:00:00+00:00", "a1"]
    with pytest.raises(InvalidCursor):
        second.decode(cursor, BINDING)
    assert second.decode(second.encode(BINDING, [1]), BINDING) == [1]
    with pytest.raises(InvalidCursor):
        first.decode(second.encode(BINDING, [1]), BINDING)


def test_a_cursor_compressed_when_issued_still_pages() -> None:
    """Cursors were once compressed when that made them shorter; those issued then load."""
    secret = "first-secret-" + "x" * 40
    position = ["2026-11-27T12:00:00+00:00", "a" * 64]
    issued = URLSafeTimedSerializer(secret, salt="mynews.cursor.v1").dumps(
        {"b": BINDING, "p": position}
    )
    assert issued.startswith(".")  # compressed
    assert codec(secret).decode(issued, BINDING) == position


def test_a_cursor_longer_than_any_issued_is_refused_though_signed() -> None:
    signer = codec("first-secret-" + "x" * 40)
    too_long = signer.encode(BINDING, [secrets.token_urlsafe(CURSOR_MAX_LENGTH)])
    assert len(too_long) > CURSOR_MAX_LENGTH
    with pytest.raises(InvalidCursor):
        signer.decode(too_long, BINDING)


@pytest.mark.parametrize("digits", [8, 4301, 100_000])
def test_a_long_size_is_left_to_the_routes_unread(digits: int) -> None:
    assert limit_asked(["9" * digits], DEFAULT_LIMIT) is None
