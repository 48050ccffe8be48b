"""Ranking a reader's feed: pure functions, no I/O.

The same functions rank the live feed and replay logged impressions offline (`mynews
evaluate`), so what is measured offline is what readers get.

An article's score adds up independent contributions, each explainable as a reason:

- ``followed_topic`` / ``followed_author``: the reader follows one of its topics or authors;
- ``inferred_interest``: the reader's own opens, reads, shares and likes (minus dislikes) of
  articles on its topics and by its authors, fading with a half-life;
- ``recent``: freshness, ``0.5 ** (age / half_life)``;
- ``trending``: engagement, decayed and smoothed as ``e / (e + k)`` so that one reader's
  handful of interactions barely moves it;
- ``editors_pick``: the newsroom's own priority.
"""

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, TypeVar

# A reason is shown when its contribution is at least this large.
REASON_THRESHOLD = 0.15
MAX_SAME_TOPIC_RUN = 3

# What each of the reader's own signals says about their interest in a topic or author.
SIGNAL_WEIGHTS = {"open": 1.0, "read": 2.0, "share": 3.0, "like": 3.0, "dislike": -4.0}
# Interest saturates: tanh(evidence / scale) keeps it within (-1, 1).
INTEREST_SCALE = 4.0

# How much each kind of engagement counts towards trending.
ENGAGEMENT_WEIGHTS = {
    "impressions": 0.05,
    "opens": 1.0,
    "reads": 2.0,
    "shares": 3.0,
    "likes": 2.0,
    "dislikes": -2.0,
}

T = TypeVar("T")

_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Weights:
    followed_topic: float = 3.0
    followed_author: float = 3.0
    inferred_interest: float = 2.0
    freshness: float = 2.0
    engagement: float = 1.5
    editors_pick: float = 1.0
    freshness_half_life_hours: float = 12.0
    engagement_smoothing: float = 20.0


class Candidate(NamedTuple):
    """An article that may be shown, with what ranking needs to know of it.

    A named tuple: a first page makes hundreds and each process keeps tens of thousands
    (``RankingFacts``), and one is made in a third of the time a frozen dataclass takes, in
    half its memory.
    """

    article_id: str
    published_at: datetime
    topics: tuple[int, ...]  # primary topic first
    authors: tuple[int, ...] = ()
    engagement: float = 0.0  # decayed engagement, see ``decayed_engagement``
    editors_pick: bool = False
    # The headline as one story's copies share it (``wire_copy_key``); each fact carries
    # it made once rather than its headline, and no cache of keys beside the facts.
    story: str = ""

    @property
    def primary_topic(self) -> int | None:
        return self.topics[0] if self.topics else None


@dataclass(frozen=True)
class Profile:
    """What the ranking believes about one reader."""

    followed_topics: frozenset[int] = frozenset()
    followed_authors: frozenset[int] = frozenset()
    topic_interest: Mapping[int, float] = field(default_factory=dict)  # in (-1, 1)
    author_interest: Mapping[int, float] = field(default_factory=dict)


class Reason(NamedTuple):
    """Why an article is in the feed: its code, and the topic or author it names.

    A named tuple: a first page hashes a thousand of them (its ranking's distinct reasons
    are written out once), and a tuple's hash is computed in C.
    """

    code: str
    topic: int | None = None
    author: int | None = None


class Scored(NamedTuple):
    """A candidate with its score and reasons (a named tuple: a ranking makes hundreds)."""

    candidate: Candidate
    score: float
    reasons: tuple[Reason, ...]


def decay(age_hours: float, half_life_hours: float) -> float:
    """1 now, 1/2 after one half-life; the future counts as now."""
    return float(0.5 ** (max(age_hours, 0.0) / half_life_hours))


def hours_between(earlier: datetime, later: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def decayed_engagement(
    buckets: Iterable[tuple[datetime, Mapping[str, int]]], now: datetime, half_life_hours: float
) -> float:
    """Weighted engagement counts, each hour's bucket faded by its age."""
    total = 0.0
    for bucket_start, counts in buckets:
        raw = sum(ENGAGEMENT_WEIGHTS[k] * counts.get(k, 0) for k in ENGAGEMENT_WEIGHTS)
        total += raw * decay(hours_between(bucket_start, now), half_life_hours)
    return max(total, 0.0)


def interest(
    signals: Iterable[tuple[str, datetime]], now: datetime, half_life_hours: float
) -> float:
    """Interest in (-1, 1) from (signal, time) pairs, recent ones counting most."""
    evidence = sum(
        SIGNAL_WEIGHTS[kind] * decay(hours_between(at, now), half_life_hours)
        for kind, at in signals
    )
    return math.tanh(evidence / INTEREST_SCALE)


def score(candidate: Candidate, profile: Profile, now: datetime, weights: Weights) -> Scored:
    """The candidate's score for this reader, and the reasons that contributed most.

    Contributions are added in a fixed order (follows, interest, freshness, engagement, pick);
    a reason is made only for those large enough to be shown, largest first.
    """
    return scorer(profile, now, weights)(candidate)


def scorer(profile: Profile, now: datetime, weights: Weights) -> Callable[[Candidate], Scored]:
    """``score`` for one reader and moment, with what every candidate shares looked up once:
    a first page scores hundreds of candidates."""
    followed_topics, followed_authors = profile.followed_topics, profile.followed_authors
    topic_interest, author_interest = profile.topic_interest, profile.author_interest
    followed_topic, followed_author = weights.followed_topic, weights.followed_author
    inferred_weight, freshness_weight = weights.inferred_interest, weights.freshness
    engagement_weight, smoothing = weights.engagement, weights.engagement_smoothing
    pick_weight, half_life = weights.editors_pick, weights.freshness_half_life_hours

    # Each reason is made as its contribution is, and only if it is large enough to show.
    threshold = REASON_THRESHOLD
    follows_shown = (followed_topic >= threshold, followed_author >= threshold)
    pick_shown = pick_weight >= threshold

    def score_one(candidate: Candidate) -> Scored:
        total = 0.0
        shown: list[tuple[float, Reason]] = []
        topics, authors = candidate.topics, candidate.authors
        if followed_topics:
            for topic in topics:
                if topic in followed_topics:
                    total += followed_topic
                    if follows_shown[0]:
                        shown.append((followed_topic, _reason("followed_topic", topic, None)))
                    break
        if followed_authors:
            for author in authors:
                if author in followed_authors:
                    total += followed_author
                    if follows_shown[1]:
                        shown.append((followed_author, _reason("followed_author", None, author)))
                    break

        # The strongest liking shows as a reason; any disliking pulls the article down.
        best: tuple[float, int | None, int | None] | None = None
        worst = 0.0
        if topic_interest:
            for topic in topics:
                value = topic_interest.get(topic, 0.0)
                if best is None or value > best[0]:
                    best = (value, topic, None)
                if value < worst:
                    worst = value
        if author_interest:
            for author in authors:
                value = author_interest.get(author, 0.0)
                if best is None or value > best[0]:
                    best = (value, None, author)
                if value < worst:
                    worst = value
        if best is not None and best[0] > 0:
            liking = inferred_weight * best[0]
            total += liking
            if liking >= threshold:
                shown.append((liking, _reason("inferred_interest", best[1], best[2])))
        if worst < 0:
            total += inferred_weight * worst

        # ``decay(hours_between(published_at, now), half_life)``, written out: it is the one
        # contribution every candidate has.
        age = (now - candidate.published_at).total_seconds() / 3600
        freshness = freshness_weight * 0.5 ** (max(age, 0.0) / half_life)
        total += freshness
        if freshness >= threshold:
            shown.append((freshness, _RECENT))
        engagement = candidate.engagement
        trending = engagement_weight * (engagement / (engagement + smoothing))
        total += trending
        if trending >= threshold:
            shown.append((trending, _TRENDING))
        if candidate.editors_pick:
            total += pick_weight
            if pick_shown:
                shown.append((pick_weight, _EDITORS_PICK))

        if not shown:
            return Scored(candidate, total, _ONLY_RECENT)
        # Largest first; equal contributions keep their order (sorting is stable either way).
        if len(shown) > 1:
            shown.sort(key=_size, reverse=True)
        return Scored(candidate, total, tuple([reason for _, reason in shown]))

    return score_one


def _size(part: tuple[float, Reason]) -> float:
    return part[0]


@functools.lru_cache(maxsize=65_536)
def _reason(code: str, topic: int | None, author: int | None) -> Reason:
    """Reasons are values: one instance of each serves every ranking of the process."""
    return Reason(code, topic=topic, author=author)


_RECENT = _reason("recent", None, None)
_TRENDING = _reason("trending", None, None)
_EDITORS_PICK = _reason("editors_pick", None, None)
_ONLY_RECENT = (_RECENT,)


def _order_key(item: Scored) -> tuple[float, float, str]:
    # Highest score first; then the fresher; then by id, so equal inputs rank identically.
    return (-item.score, -item.candidate.published_at.timestamp(), item.candidate.article_id)


def rank(
    candidates: Iterable[Candidate], profile: Profile, now: datetime, weights: Weights
) -> list[Scored]:
    """Score and sort, best first, deterministically."""
    return sorted(map(scorer(profile, now, weights), candidates), key=_order_key)


def wire_copy_key(headline: str) -> str:
    """Headlines that differ only in case, punctuation or spacing are one story."""
    return _NON_WORD.sub(" ", headline.casefold()).strip()


def drop_wire_copies(items: Sequence[Scored]) -> list[Scored]:
    """Keep the best-ranked copy of each story ingested more than once under other URLs."""
    seen: set[str] = set()
    kept = []
    for item in items:
        key = item.candidate.story or item.candidate.article_id
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


class Run(NamedTuple):
    """The primary topic the latest items share, and how many of them in a row do."""

    topic: int | None = None
    length: int = 0

    def after(self, topics: Iterable[int | None]) -> "Run":
        """The run once items on ``topics`` follow, in order."""
        run_topic, length = self
        for topic in topics:
            length = length + 1 if length and topic == run_topic else 1
            run_topic = topic
        return Run(run_topic, length)


# Before any item: no run to continue.
NO_RUN = Run()


def overruns(run: Run, topics: Iterable[int | None], max_run: int = MAX_SAME_TOPIC_RUN) -> bool:
    """Whether items on ``topics``, continuing ``run``, put more than ``max_run`` in a row
    on one primary topic. The loop of ``Run.after``, written out again: a generator shared
    by the two made each six times slower, and a later page runs both."""
    run_topic, length = run
    for topic in topics:
        length = length + 1 if length and topic == run_topic else 1
        run_topic = topic
        if length > max_run and topic is not None:
            return True
    return False


def primary_topic(item: Scored) -> int | None:
    return item.candidate.primary_topic


def diversify(
    items: Sequence[T],
    topic: Callable[[T], int | None],
    max_run: int = MAX_SAME_TOPIC_RUN,
    *,
    length: int | None = None,
    run: Run = NO_RUN,
) -> list[T]:
    """No more than ``max_run`` consecutive items share a primary topic while others remain.

    Greedy: take the best remaining item unless it would extend a run past the cap, in which
    case take the best one on another topic. Stops after ``length`` items when given: the
    first items do not depend on how many follow. ``run`` is the run the items continue (the
    end of an earlier page); ``topic`` gives an item's primary topic.
    """
    remaining = list(items)
    wanted = len(remaining) if length is None else min(length, len(remaining))
    result: list[T] = []
    run_topic, run_length = run
    while len(result) < wanted:
        choice = 0
        if run_length >= max_run and run_topic is not None:
            choice = next((i for i, item in enumerate(remaining) if topic(item) != run_topic), 0)
        item = remaining.pop(choice)
        item_topic = topic(item)
        run_length = run_length + 1 if run_length and item_topic == run_topic else 1
        run_topic = item_topic
        result.append(item)
    return result


def build_feed(
    candidates: Iterable[Candidate],
    profile: Profile,
    now: datetime,
    weights: Weights,
    *,
    length: int | None = None,
) -> list[Scored]:
    """The ranked feed (its first ``length`` items): score, drop wire copies, diversify."""
    ranked = drop_wire_copies(rank(candidates, profile, now, weights))
    return diversify(ranked, primary_topic, length=length)
