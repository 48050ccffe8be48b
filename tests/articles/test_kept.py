"""Summaries rendered once per article version, and the label names they are made from."""

from datetime import UTC, datetime

from app.articles.kept import KeptSummaries
from tests import factories

UPDATED = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_a_rendering_serves_only_its_own_version_for_half_the_interval() -> None:
    clock = factories.Clock()
    kept = KeptSummaries(seconds=60, clock=clock)
    kept.put("a1", ("hash-1", UPDATED), b'{"id":"a1"}')
    assert kept.get("a1", ("hash-1", UPDATED)) == b'{"id":"a1"}'
    assert kept.get("a1", ("hash-2", UPDATED)) is None, "corrected content"
    assert kept.get("a1", ("hash-1", datetime(2026, 11, 27, 12, 1, tzinfo=UTC))) is None
    assert kept.get("a2", ("hash-1", UPDATED)) is None
    clock.now += 29.9
    assert kept.get("a1", ("hash-1", UPDATED)) is not None
    clock.now += 0.1
    assert kept.get("a1", ("hash-1", UPDATED)) is None


def test_only_the_most_recently_used_renderings_are_kept() -> None:
    kept = KeptSummaries(kept=2)
    for article_id in ("a1", "a2"):
        kept.put(article_id, ("h", UPDATED), article_id.encode())
    assert kept.get("a1", ("h", UPDATED)) == b"a1"
    kept.put("a3", ("h", UPDATED), b"a3")
    assert kept.get("a2", ("h", UPDATED)) is None
    assert kept.get("a1", ("h", UPDATED)) == b"a1"


def test_topic_names_are_read_again_together_and_authors_never() -> None:
    clock = factories.Clock()
    kept = KeptSummaries(seconds=60, clock=clock)
    assert kept.labels([("topics", 1)]) == ({}, [])
    diplomacy = {"slug": "diplomacy", "name": "Diplomacy"}
    writer = {"slug": "ann-writer", "name": "Ann Writer"}
    kept.put_labels({("topics", 1): diplomacy, ("authors", 7): writer}, due_read=True)
    clock.now += 10
    kept.put_labels({("topics", 2): {"slug": "trade", "name": "Trade"}}, due_read=False)
    wanted = [("topics", 1), ("topics", 2), ("authors", 7), ("authors", 8)]
    known, due = kept.labels(wanted)
    assert known.keys() == {("topics", 1), ("topics", 2), ("authors", 7)}
    assert due == []
    clock.now += 20  # half the interval since every kept topic was read
    known, due = kept.labels(wanted)
    assert known == {("authors", 7): writer}, "topics are due, authors' names never change"
    assert sorted(due) == [1, 2]
    kept.put_labels({("topics", 1): diplomacy, ("topics", 2): diplomacy}, due_read=True)
    assert kept.labels(wanted) == (
        {("topics", 1): diplomacy, ("topics", 2): diplomacy, ("authors", 7): writer},
        [],
    )


def test_forget_renders_and_reads_everything_afresh() -> None:
    kept = KeptSummaries()
    kept.put("a1", ("h", UPDATED), b"a1")
    kept.put_labels({("authors", 7): {"slug": "a", "name": "A"}}, due_read=True)
    kept.forget()
    assert kept.get("a1", ("h", UPDATED)) is None
    assert kept.labels([("authors", 7), ("topics", 1)]) == ({}, [])
