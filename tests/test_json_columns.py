"""JSON columns: what the app writes, it reads back as the same values."""

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.db import json_text, json_value

# JSON's own values: no NaN or infinities (the app never stores them, and JSON has none).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)


@given(json_values)
def test_a_stored_document_reads_back_as_the_standard_library_reads_it(value: Any) -> None:
    stored = json_text(value)
    assert json_value(stored) == json.loads(stored) == value


def test_stored_text_with_escapes_reads_back_as_its_characters() -> None:
    # Documents written before characters were stored as they are, and by other tools.
    assert json_value('["caf\\u00e9", "\\ud83d\\udcf0", "a\\"b\\\\c\\n"]') == [
        "café",
        "📰",
        'a"b\\c\n',
    ]
    assert json_value(b'{"caption": "Z\\u00fcrich"}') == {"caption": "Zürich"}
