"""Cursors: signed with the app's secret, so only the app that issued one accepts it."""

import pytest

from app.config import Settings
from app.errors import InvalidCursor
from app.pagination import CursorCodec

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
