"""Article summaries as JSON, rendered once per version and kept by each process.

A feed page shows twenty summaries, and making them (reading their topics' and authors'
names, validating, serializing) cost a next page more than anything else it did. Readers'
pages overlap heavily (the day's news, big topics), so each process keeps the JSON of the
summaries it rendered lately and a page renders only those it does not find.

What a page shows is still decided on the request: the statement that finds which articles
are live (not retracted, not hidden by the reader) returns each one's version, its content
hash and ``updated_at``, and a kept rendering serves only that same version. A correction
made through any process is shown at once.

Only the names of topics, which an editor may rename, are not part of an article's version.
The topics' and authors' names renderings are made from are kept too, so that a page whose
summaries are all kept, or rendered from kept names, reads no labels. A rendering serves for
half of ``seconds``; every half of ``seconds`` the first page that reads labels reads the
names of all the topics kept with them. So a new name reaches every process's pages within
``seconds``, and the process that renames a topic forgets everything at once (``forget``).
An author's name and slug never change once the author is filed: they serve until pushed
out by others.
"""

import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from cachetools import LRUCache
from fastapi import Depends, Request

from app.db import SessionDep, after_commit

# An article's version: its content hash and when it was last updated.
Version = tuple[str, datetime]
# A topic or author: ("topics" or "authors", its id); and as summaries show it.
Label = tuple[str, int]
LabelRef = dict[str, str]


class _Rendering(NamedTuple):
    version: Version
    made_at: float
    json: bytes


class KeptSummaries:
    """Summaries' JSON by article id, the most recently used ``kept`` of them (~1.3 KB each),
    and the names of the most recently used ``labels_kept`` topics and authors."""

    def __init__(
        self,
        *,
        kept: int = 5_000,
        labels_kept: int = 10_000,
        seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._serves = seconds / 2
        self._clock = clock
        self._renderings: LRUCache[str, _Rendering] = LRUCache(maxsize=kept)
        self._labels: LRUCache[Label, LabelRef] = LRUCache(maxsize=labels_kept)
        self._topics_read_at = -math.inf

    def get(self, article_id: str, version: Version) -> bytes | None:
        """The summary of this version of the article, if it was rendered here lately."""
        rendering = self._renderings.get(article_id)
        if (
            rendering is None
            or rendering.version != version
            or self._clock() >= rendering.made_at + self._serves
        ):
            return None
        return rendering.json

    def put(self, article_id: str, version: Version, json: bytes) -> None:
        self._renderings[article_id] = _Rendering(version, self._clock(), json)

    def labels(self, wanted: list[Label]) -> tuple[dict[Label, LabelRef], list[int]]:
        """The names of those of ``wanted`` known here; and, when the topics' names are due
        to be read again, every kept topic's id (to be read with the unknown: ``put_labels``)."""
        due = self._clock() >= self._topics_read_at + self._serves
        known = {}
        for label in wanted:
            ref = self._labels.get(label)
            if ref is not None and not (due and label[0] == "topics"):
                known[label] = ref
        return known, [i for kind, i in self._labels if kind == "topics"] if due else []

    def put_labels(self, named: dict[Label, LabelRef], *, due_read: bool) -> None:
        """Names just read; ``due_read``: with those of every kept topic."""
        if due_read:
            self._topics_read_at = self._clock()
        self._labels.update(named)

    def forget(self) -> None:
        """Render every summary afresh from names read afresh: this process renamed a topic."""
        self._renderings.clear()
        self._labels.clear()
        self._topics_read_at = -math.inf


async def _forget_after_commit(request: Request, session: SessionDep) -> None:
    kept: KeptSummaries = request.app.state.kept_summaries
    after_commit(session, kept.forget)


# For routes that rename topics: this process shows the new names at once.
RenamesTopics = Depends(_forget_after_commit)
