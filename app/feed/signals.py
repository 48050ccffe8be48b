"""What the feed reads from the database: the reader's profile, candidates, engagement.

Every function here is one or two statements, and none grows with the archive: candidates
come from per-label index range scans, and everything after that is looked up for the
candidates alone. What all readers share (the window's engagement, the most engaged articles,
articles' ranking facts) is kept per process for a minute (``SharedSignals``), so a request
reads only its own part.
"""

import asyncio
import functools
import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    bindparam,
    case,
    func,
    literal,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import queries as article_queries
from app.cache import Cache
from app.db import among, among_bound, dialect_name, fetch_rows, table_of
from app.feed import ranking
from app.models import (
    Article,
    ArticleAuthor,
    ArticleEngagement,
    ArticleTopic,
    Author,
    HiddenArticle,
    ReaderArticle,
    Topic,
)
from app.reader.recording import hour_of

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
# The feed's row-heavy reads select table columns (Core), not mapped attributes: the ORM's
# handling of each result row cost more than the rows themselves.
ARTICLES = table_of(Article)
READER_ARTICLES = table_of(ReaderArticle)
SIGNAL_COLUMNS = {
    "open": READER_ARTICLES.c.opened_at,
    "read": READER_ARTICLES.c.read_at,
    "share": READER_ARTICLES.c.shared_at,
    "like": READER_ARTICLES.c.liked_at,
    "dislike": READER_ARTICLES.c.disliked_at,
}


@dataclass(frozen=True)
class ReaderSignals:
    """The reader's own signals per topic and author: [(kind, time)]; and the articles they
    opened or read, when all of them were among the rows read (``None`` when not)."""

    topics: dict[int, list[tuple[str, datetime]]]
    authors: dict[int, list[tuple[str, datetime]]]
    read: frozenset[str] | None = None

    @property
    def empty(self) -> bool:
        return not self.topics and not self.authors


@functools.cache
def _reader_signals_statement() -> Select[Any]:
    """The reader's (``user_id``) latest ``most`` articles with a signal, with their labels;
    built once, as a first page runs it."""
    state, articles = READER_ARTICLES.c, ARTICLES.c
    return (
        select(
            state.article_id,
            state.last_read_at,
            articles.topic_ids,
            articles.author_ids,
            *SIGNAL_COLUMNS.values(),
        )
        .join(ARTICLES, articles.id == state.article_id)
        .where(
            state.user_id == bindparam("user_id", type_=state.user_id.type),
            state.last_read_at.is_not(None)
            | state.liked_at.is_not(None)
            | state.disliked_at.is_not(None)
            | state.shared_at.is_not(None),
        )
        .order_by(state.last_read_at.desc())
        .limit(bindparam("most", type_=Integer))
    )


async def reader_signals(
    session: AsyncSession, user_id: str, now: datetime, *, days: int = 90, most: int = 1000
) -> ReaderSignals:
    """The reader's recent opens, reads, shares, likes and dislikes, by topic and author.

    Most readers have far fewer than ``most`` such rows: then the articles they read are
    known here too, and the feed need not look each candidate up among them.
    """
    parameters = {"user_id": user_id, "most": most}
    rows = await fetch_rows(session, _reader_signals_statement(), parameters)
    since = now - timedelta(days=days)
    by_topic: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    by_author: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for _, _, topic_ids, author_ids, *times in rows:
        signals = [
            (kind, at)
            for kind, at in zip(SIGNAL_COLUMNS, times, strict=True)
            if at is not None and at >= since
        ]
        for topic_id in topic_ids:
            by_topic[topic_id] += signals
        for author_id in author_ids:
            by_author[author_id] += signals
    read = None
    if len(rows) < most:
        read = frozenset(article_id for article_id, read_at, *_ in rows if read_at is not None)
    return ReaderSignals(dict(by_topic), dict(by_author), read)


@dataclass(frozen=True)
class CandidateSources:
    """Where a reader's candidates come from: the newest articles of each followed label and
    of each inferred topic, the newest overall, and the newest editors' picks."""

    followed_topics: Sequence[int]
    followed_authors: Sequence[int]
    per_followed: int
    inferred_topics: Sequence[int]
    per_inferred: int
    recent: int
    picks: int


@functools.cache
def _sources_statement() -> Select[list[str]]:
    """PostgreSQL: every source in one statement, built and compiled once; a reader's labels
    and limits are its parameters (label ids as arrays). The ids come back as one array: a
    row per id cost more to take apart than the statement took to run."""

    def filed(link: type[ArticleTopic] | type[ArticleAuthor], labels: str, limit: str) -> Any:
        ids = bindparam(labels, type_=ARRAY(BigInteger))
        newest = article_queries.newest_per_label(link, ids, bindparam(limit, type_=Integer))
        return select(newest.subquery().c.article_id)

    def newest(limit: str, *, picks_only: bool) -> Any:
        statement = newest_statement(limit=bindparam(limit, type_=Integer), picks_only=picks_only)
        return select(statement.subquery().c.id)

    found = union_all(
        filed(ArticleTopic, "followed_topics", "per_followed_topic"),
        filed(ArticleAuthor, "followed_authors", "per_followed_author"),
        filed(ArticleTopic, "inferred_topics", "per_inferred"),
        newest("recent", picks_only=False),
        newest("picks", picks_only=True),
    ).subquery()
    return select(func.array_agg(found.c[0]))


async def candidate_ids(session: AsyncSession, sources: CandidateSources) -> set[str]:
    """The ids every source finds, read by one statement."""
    if dialect_name(session) == "postgresql":
        found = await fetch_rows(
            session,
            _sources_statement(),
            {
                "followed_topics": list(sources.followed_topics),
                "per_followed_topic": sources.per_followed,
                "followed_authors": list(sources.followed_authors),
                "per_followed_author": sources.per_followed,
                "inferred_topics": list(sources.inferred_topics),
                "per_inferred": sources.per_inferred,
                "recent": sources.recent,
                "picks": sources.picks,
            },
        )
        return set(found[0][0] or ())
    # SQLite: a UNION ALL of one query per label, so its SQL differs from reader to reader.
    parts = [
        article_queries.newest_filed_statement("sqlite", link, labels, per_label).subquery()
        for link, labels, per_label in (
            (ArticleTopic, sources.followed_topics, sources.per_followed),
            (ArticleAuthor, sources.followed_authors, sources.per_followed),
            (ArticleTopic, sources.inferred_topics, sources.per_inferred),
        )
        if labels
    ]
    parts.append(newest_statement(limit=sources.recent).subquery())
    if sources.picks:
        parts.append(newest_statement(limit=sources.picks, picks_only=True).subquery())
    newest = await session.scalars(union_all(*(select(*list(part.c)[:1]) for part in parts)))
    return set(newest.all())


def _weighted_engagement() -> ColumnElement[float]:
    """A bucket's counters weighted into one number, in SQL."""
    weighted: ColumnElement[float] = sum(
        getattr(ArticleEngagement, counter) * weight
        for counter, weight in ranking.ENGAGEMENT_WEIGHTS.items()
    )
    return weighted


async def most_engaged(
    session: AsyncSession, now: datetime, *, hours: float, limit: int
) -> list[str]:
    """Articles with the most weighted engagement over the last ``hours`` (undecayed)."""
    rows = await session.execute(
        select(ArticleEngagement.article_id)
        .where(ArticleEngagement.bucket_start >= now - timedelta(hours=hours))
        .group_by(ArticleEngagement.article_id)
        .order_by(func.sum(_weighted_engagement()).desc(), ArticleEngagement.article_id)
        .limit(limit)
    )
    return list(rows.scalars().all())


def newest_statement(*, limit: int | ColumnElement[int], picks_only: bool = False) -> Select[str]:
    """The newest live articles (or editors' picks: their own partial index serves them)."""
    statement = select(Article.id).where(Article.retracted_at.is_(None))
    if picks_only:
        statement = statement.where(Article.editors_pick == true())
    return statement.order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)


TRENDING_CACHE_SECONDS = 60
ENGAGEMENT_REFRESH_SECONDS = 60
# How often each process reads the newest articles' ranking facts (``RankingFacts``).
NEWEST_REFRESH_SECONDS = 30.0
NEWEST_READ_AT_ONCE = 5_000


async def most_engaged_cached(
    session: AsyncSession, cache: Cache, now: datetime, *, hours: float, limit: int
) -> list[str]:
    """``most_engaged``, computed at most once a minute for everyone: it scans every
    article's recent engagement, the same for every reader."""
    minute = int(now.timestamp()) // TRENDING_CACHE_SECONDS
    key = f"mynews:most-engaged:{hours}:{limit}:{minute}"
    cached = await cache.get(key)
    if cached is not None:
        found: list[str] = json.loads(cached)
        return found
    ids = await most_engaged(session, now, hours=hours, limit=limit)
    await cache.set(key, json.dumps(ids).encode())
    return ids


class MostEngaged:
    """``most_engaged_cached`` for the feed, kept in the process for its minute.

    When the minute turns, one request of this process reads the new list; the others take
    the last minute's instead of each running the same scan at once.
    """

    def __init__(self) -> None:
        self._last: tuple[tuple[int, float, float], list[str]] | None = None
        self._lock = asyncio.Lock()

    async def of(
        self, session: AsyncSession, cache: Cache, now: datetime, *, hours: float, limit: int
    ) -> list[str]:
        wanted = (int(now.timestamp()) // TRENDING_CACHE_SECONDS, hours, limit)
        last = self._last
        if last is not None and (
            last[0] == wanted or (self._lock.locked() and _just_before(last[0], wanted))
        ):
            return last[1]
        async with self._lock:
            if self._last is None or self._last[0] != wanted:
                ids = await most_engaged_cached(session, cache, now, hours=hours, limit=limit)
                self._last = (wanted, ids)
            return self._last[1]


def _just_before(known: tuple[int, float, float] | None, wanted: tuple[int, float, float]) -> bool:
    """Whether what is known is the previous minute's, for the same parameters."""
    return known is not None and known[1:] == wanted[1:] and known[0] == wanted[0] - 1


def _hourly_decay(now: datetime, hours: float, half_life: float) -> ColumnElement[float]:
    """Each engagement bucket's decay factor, as a CASE over the hours of the window.

    Buckets start on the hour, so the window holds about 50 distinct starts; their factors
    are computed here (``ranking.decay``) and handed to the database, which then weighs, fades
    and adds up every bucket of an article into one number.
    """
    first = hour_of(now - timedelta(hours=hours) + HOUR - timedelta.resolution)
    last = hour_of(now) + HOUR  # events may arrive a few minutes early
    starts = [first + timedelta(hours=n) for n in range(int((last - first) / HOUR) + 1)]
    return case(
        *(
            (
                ArticleEngagement.bucket_start == start,
                ranking.decay(ranking.hours_between(start, now), half_life),
            )
            for start in starts
        ),
        else_=0.0,
    )


def _decayed_engagement(now: datetime, hours: float, half_life: float) -> Select[str, float]:
    """(article id, decayed engagement) of articles engaged within the window: the database
    weighs, fades and adds up every bucket of an article into one row."""
    decayed = func.sum(_weighted_engagement() * _hourly_decay(now, hours, half_life))
    return (
        select(ArticleEngagement.article_id, decayed)
        .where(ArticleEngagement.bucket_start >= now - timedelta(hours=hours))
        .group_by(ArticleEngagement.article_id)
    )


async def engagement_of(
    session: AsyncSession,
    article_ids: Sequence[str],
    now: datetime,
    *,
    hours: float,
    half_life: float,
) -> dict[str, float]:
    """Decayed engagement of each article over the window, added up by the database: one
    row per article comes back, however many hours and shards it was counted in."""
    if not article_ids:
        return {}
    statement = _decayed_engagement(now, hours, half_life).where(
        among(session, ArticleEngagement.article_id, article_ids)
    )
    return {
        article_id: max(float(total), 0.0) for article_id, total in await session.execute(statement)
    }


class RecentEngagement:
    """Decayed engagement of every article engaged within the window, read by one statement
    once a minute per process and shared by every feed request of that minute.

    Summing a request's candidates alone reads thousands of (article, hour, shard) rows per
    request; the whole window is a few tens of thousands of articles, read once. The values
    are a minute old at most, as trending is. When this process records events it notes the
    articles (``engaged``), and the next read fetches theirs alone afresh, so its readers
    see their engagement at once without a steady stream of events making every feed request
    read the whole window again. ``forget`` drops everything.

    While one request reads, the others of this process use what is known (the last
    minute's values at most) instead of queueing behind it: at each new minute one request
    pays for the read, not every request in flight.
    """

    def __init__(self) -> None:
        self._key: tuple[int, float, float] | None = None
        self._values: dict[str, float] = {}
        self._engaged: set[str] = set()
        self._lock = asyncio.Lock()

    def forget(self) -> None:
        self._key = None

    def engaged(self, article_ids: Iterable[str]) -> None:
        """This process has committed new engagement with these articles."""
        self._engaged.update(article_ids)

    async def of(
        self,
        session: AsyncSession,
        article_ids: Iterable[str],
        now: datetime,
        *,
        hours: float,
        half_life: float,
    ) -> dict[str, float]:
        key = (int(now.timestamp()) // ENGAGEMENT_REFRESH_SECONDS, hours, half_life)
        # While another request of this process reads, what is known (this minute's values
        # or the last one's) serves this one rather than queueing behind it.
        known_will_do = self._lock.locked() and (self._key == key or _just_before(self._key, key))
        if not known_will_do and (self._key != key or self._engaged):
            async with self._lock:
                if self._key != key:
                    self._engaged = set()
                    rows = await session.execute(_decayed_engagement(now, hours, half_life))
                    self._values = {a: max(float(total), 0.0) for a, total in rows}
                    self._key = key
                elif self._engaged:
                    engaged, self._engaged = self._engaged, set()
                    fresh = await engagement_of(
                        session, sorted(engaged), now, hours=hours, half_life=half_life
                    )
                    for article_id in engaged:
                        if article_id in fresh:
                            self._values[article_id] = fresh[article_id]
                        else:
                            self._values.pop(article_id, None)
        values = self._values
        return {i: values[i] for i in article_ids if i in values}


# What ranking needs of an article, in the order ``_as_candidates`` takes it.
FACT_COLUMNS = tuple(
    ARTICLES.c[name]
    for name in ("id", "published_at", "editors_pick", "headline", "topic_ids", "author_ids")
)


@functools.cache
def _facts_statement(dialect: str) -> Select[Any]:
    """What ranking needs of the live articles among ``ids``; built once per dialect."""
    articles = ARTICLES.c
    return select(*FACT_COLUMNS).where(
        among_bound(dialect, articles.id, "ids"), articles.retracted_at.is_(None)
    )


@functools.cache
def _newest_facts_statement() -> Select[Any]:
    """What ranking needs of the newest ``most`` live articles published before
    (``before_at``, ``before_id``): one backward range of the (published_at, id) index.
    Built once."""
    articles = ARTICLES.c
    before = tuple_(
        bindparam("before_at", type_=articles.published_at.type),
        bindparam("before_id", type_=articles.id.type),
    )
    return (
        select(*FACT_COLUMNS)
        .where(tuple_(articles.published_at, articles.id) < before, articles.retracted_at.is_(None))
        .order_by(articles.published_at.desc(), articles.id.desc())
        .limit(bindparam("most", type_=Integer))
    )


def _as_candidates(
    rows: Iterable[Sequence[Any]], labels: dict[int, int] | None = None
) -> list[ranking.Candidate]:
    """Rows of ``FACT_COLUMNS`` as candidates without engagement, each headline made its
    story (``ranking.wire_copy_key``) once.

    ``labels``, when given, holds one int object per label id for every candidate that is
    kept: the driver makes a new one for each id of each row.
    """
    one = {} if labels is None else labels
    # Positional: a first page makes up to hundreds of these, a refresh tens of thousands.
    return [
        ranking.Candidate(
            article_id,
            published_at,
            tuple([one.setdefault(t, t) for t in topics]),
            tuple([one.setdefault(a, a) for a in authors]),
            0.0,
            pick,
            ranking.wire_copy_key(headline),
        )
        for article_id, published_at, pick, headline, topics, authors in rows
    ]


async def candidates_of(
    session: AsyncSession, article_ids: Iterable[str], labels: dict[int, int] | None = None
) -> list[ranking.Candidate]:
    """Live articles as ranking candidates, without engagement (the caller adds it); label
    ids shared through ``labels`` as ``_as_candidates`` says."""
    wanted = sorted(set(article_ids))
    if not wanted:
        return []
    rows = await fetch_rows(session, _facts_statement(dialect_name(session)), {"ids": wanted})
    return _as_candidates(rows, labels)


class RankingFacts:
    """What ranking needs of each article (time, pick, story, topics, authors), kept per
    process for a minute: readers' candidates overlap heavily (the day's news, big topics,
    trending), so most requests find theirs here instead of in two statements.

    Two parts:

    - The newest articles' facts (``newest`` of them), read in the background
      (``keep_newest``) every ``NEWEST_REFRESH_SECONDS``, along one index. On a large
      archive they are four lookups in five a first page makes, and reading them in ranges
      of an index costs a small part of what reading them a few at a time on requests did.
    - Any other article's, read when a request needs them, in two generations of plain
      dictionaries, not a TTL cache: a first page looks up ~600 articles, and a TTL cache's
      bookkeeping per lookup cost more than all the rest of this. Facts go into the young
      generation; when it holds half of ``kept`` it becomes the old one, and what is found
      there moves back to the young.

    No fact is used past ``seconds``. ``forget`` drops those of articles this process has
    changed (all of them, when it names none); a correction made through another process
    reaches this one's rankings within the minute.
    Which articles a page shows, and their versions, are read afresh
    (``load_rendered_summaries``): a retracted article is never shown. A fact takes ~560
    bytes (its label ids are shared, see ``_as_candidates``).
    """

    def __init__(
        self,
        *,
        kept: int = 30_000,
        newest: int = 30_000,
        seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept = kept
        self._newest_count = newest
        self._seconds = seconds
        self._clock = clock
        self._forgotten = 0
        # While the newest are being read: the articles forgotten meanwhile.
        self._forgotten_while_reading: set[str] | None = None
        self.forget()

    @property
    def newest_read_at(self) -> float:
        """When (by the clock given) the newest facts in use were read; -inf before any."""
        return self._newest_read_at

    def forget(self, article_ids: Iterable[str] | None = None) -> None:
        """Drop what is known of these articles (of every article when none are named)."""
        if article_ids is not None:
            for article_id in article_ids:
                for known in (self._young, self._old, self._newest):
                    known.pop(article_id, None)
                if self._forgotten_while_reading is not None:
                    self._forgotten_while_reading.add(article_id)
            return
        self._forgotten += 1
        self._young: dict[str, tuple[float, ranking.Candidate]] = {}
        self._old: dict[str, tuple[float, ranking.Candidate]] = {}
        self._labels: dict[int, int] = {}
        self._newest: dict[str, ranking.Candidate] = {}
        self._newest_read_at = float("-inf")

    async def read_newest(self, session: AsyncSession) -> None:
        """Read the facts of the newest live articles, replacing those read before. What
        ``forget`` names meanwhile is left out (it may have been read before the write that
        made it forgotten), and all of it when ``forget`` names nothing."""
        began, forgotten = self._clock(), self._forgotten
        changed: set[str] = set()
        self._forgotten_while_reading = changed
        try:
            newest = await self._read_newest(session)
        finally:
            self._forgotten_while_reading = None
        for article_id in changed:
            newest.pop(article_id, None)
        if forgotten == self._forgotten:
            self._newest, self._newest_read_at = newest, began

    async def _read_newest(self, session: AsyncSession) -> dict[str, ranking.Candidate]:
        known = self._newest
        newest: dict[str, ranking.Candidate] = {}
        # A few thousand at a time, each kept as the fact it was when unchanged: what this
        # takes beyond the facts kept is one part's rows, not a second copy of them all.
        before: tuple[datetime, str] = (datetime.max.replace(tzinfo=UTC), "")
        while len(newest) < self._newest_count:
            most = min(NEWEST_READ_AT_ONCE, self._newest_count - len(newest))
            parameters = {"most": most, "before_at": before[0], "before_id": before[1]}
            rows = await fetch_rows(session, _newest_facts_statement(), parameters)
            for candidate in _as_candidates(rows, self._labels):
                same = known.get(candidate.article_id)
                newest[candidate.article_id] = same if same == candidate else candidate
            if len(rows) < most:
                break
            before = (rows[-1][1], rows[-1][0])
        return newest

    async def keep_newest(
        self, sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]]
    ) -> None:
        """Read the newest facts every ``NEWEST_REFRESH_SECONDS`` until cancelled; a failed
        read is logged and tried again at the next turn."""
        while True:
            try:
                async with sessions() as session:
                    await self.read_newest(session)
            except Exception as error:  # the database may be down: requests read their own
                logger.warning(
                    "Newest ranking facts not read (%s: %s)", type(error).__name__, error
                )
            await asyncio.sleep(NEWEST_REFRESH_SECONDS)

    async def candidates(
        self, session: AsyncSession, article_ids: Iterable[str], engagement: dict[str, float]
    ) -> list[ranking.Candidate]:
        """Live articles as ranking candidates, as ``candidates_of`` makes them, each with
        its ``engagement``."""
        now = self._clock()
        fresh_since = now - self._seconds
        newest = self._newest if self._newest_read_at >= fresh_since else {}
        young, old = self._young, self._old
        found: list[ranking.Candidate] = []
        missing: list[str] = []
        for article_id in set(article_ids):
            candidate = newest.get(article_id)
            if candidate is not None:
                found.append(candidate)
                continue
            known = young.get(article_id)
            if known is None:
                known = old.get(article_id)
                if known is not None:
                    young[article_id] = known
            if known is not None and known[0] >= fresh_since:
                found.append(known[1])
            else:
                missing.append(article_id)
        if len(self._labels) > self._kept + self._newest_count:
            self._labels = {}
        for candidate in await candidates_of(session, missing, self._labels):
            young[candidate.article_id] = (now, candidate)
            found.append(candidate)
        # (Unless ``forget`` replaced this generation while the facts were read.)
        if young is self._young and len(young) >= self._kept // 2:
            self._young, self._old = {}, young
        return [
            c
            if not (value := engagement.get(c.article_id))
            # Made positionally: a third of the time ``_replace`` takes, for each of hundreds.
            else ranking.Candidate(
                c.article_id, c.published_at, c.topics, c.authors, value, c.editors_pick, c.story
            )
            for c in found
        ]


@functools.cache
def _slugs_statement(dialect: str) -> CompoundSelect[int, int, str]:
    """The slugs of the topics and authors among ``topics`` and ``authors``, tagged 0 and 1;
    built once per dialect."""
    return union_all(
        *(
            select(literal(tag), model.id, model.slug).where(among_bound(dialect, model.id, key))
            for tag, model, key in ((0, Topic, "topics"), (1, Author, "authors"))
        )
    )


class LabelSlugs:
    """Topic and author slugs by id, as a stored ranking names its reasons' labels.

    A slug never changes and a label is never deleted, so a slug read once stays true for
    as long as this process keeps it; a first page reads only those of labels it has not
    met before. At most ``kept`` of each kind are kept (all are dropped when one more
    would not fit), so an archive of many authors cannot grow this without bound.
    """

    def __init__(self, *, kept: int = 50_000) -> None:
        self._kept = kept
        self._topics: dict[int, str] = {}
        self._authors: dict[int, str] = {}

    async def of(
        self, session: AsyncSession, topic_ids: set[int], author_ids: set[int]
    ) -> tuple[dict[int, str], dict[int, str]]:
        """The slugs of these topics and authors (ids not found are left out)."""
        topics = {i: self._topics[i] for i in topic_ids if i in self._topics}
        authors = {i: self._authors[i] for i in author_ids if i in self._authors}
        missing = {
            "topics": list(topic_ids.difference(topics)),
            "authors": list(author_ids.difference(authors)),
        }
        if missing["topics"] or missing["authors"]:
            statement = _slugs_statement(dialect_name(session))
            for tag, label_id, slug in await fetch_rows(session, statement, missing):
                (authors if tag else topics)[label_id] = slug
            for kept, found in ((self._topics, topics), (self._authors, authors)):
                if len(kept) + len(found) > self._kept:
                    kept.clear()
                kept.update(found)
        return topics, authors


@dataclass
class SharedSignals:
    """What every feed request of one process shares, a minute old at most (label slugs,
    which never change, for longer)."""

    engagement: RecentEngagement = field(default_factory=RecentEngagement)
    most_engaged: MostEngaged = field(default_factory=MostEngaged)
    facts: RankingFacts = field(default_factory=RankingFacts)
    slugs: LabelSlugs = field(default_factory=LabelSlugs)


# Readers hide a handful of articles: up to this many are read whole (see ``hidden_among``).
HIDDEN_READ_WHOLE = 500


@functools.cache
def _hidden_statement() -> Select[str]:
    """The reader's (``user_id``) hidden articles, up to one past ``HIDDEN_READ_WHOLE``."""
    return (
        select(HiddenArticle.article_id)
        .where(HiddenArticle.user_id == bindparam("user_id", type_=HiddenArticle.user_id.type))
        .limit(HIDDEN_READ_WHOLE + 1)
    )


async def hidden_among(session: AsyncSession, user_id: str, article_ids: Sequence[str]) -> set[str]:
    """Which of these articles the reader hid.

    All of a reader's hidden articles are one index range (their key's prefix), which
    PostgreSQL reads in a fraction of the time it takes to look up each of the hundreds of
    candidates a first page has (0.04 against 0.28 ms at 620); only a reader who hid more
    than ``HIDDEN_READ_WHOLE`` is asked about these articles one by one.
    """
    if not article_ids:
        return set()
    own = [row[0] for row in await fetch_rows(session, _hidden_statement(), {"user_id": user_id})]
    if len(own) <= HIDDEN_READ_WHOLE:
        return set(own).intersection(article_ids)
    found = await session.scalars(
        select(HiddenArticle.article_id).where(
            HiddenArticle.user_id == user_id,
            among(session, HiddenArticle.article_id, article_ids),
        )
    )
    return set(found.all())


async def excluded_for(
    session: AsyncSession, user_id: str, article_ids: Sequence[str], *, include_read: bool
) -> set[str]:
    """Which of these articles the reader hid, or (unless ``include_read``) opened or read."""
    if not article_ids:
        return set()
    if include_read:
        return await hidden_among(session, user_id, article_ids)
    statement = _hidden_or_read_statement(dialect_name(session))
    found = await fetch_rows(session, statement, {"user_id": user_id, "ids": list(article_ids)})
    return {row[0] for row in found}


@functools.cache
def _hidden_or_read_statement(dialect: str) -> CompoundSelect[str]:
    """Which of ``ids`` the reader (``user_id``) hid, or opened or read; built once per
    dialect."""
    user_id = bindparam("user_id", type_=HiddenArticle.user_id.type)
    hidden = select(HiddenArticle.article_id).where(
        HiddenArticle.user_id == user_id, among_bound(dialect, HiddenArticle.article_id, "ids")
    )
    read = select(ReaderArticle.article_id).where(
        ReaderArticle.user_id == user_id,
        among_bound(dialect, ReaderArticle.article_id, "ids"),
        ReaderArticle.last_read_at.is_not(None),
    )
    return union_all(hidden, read)
