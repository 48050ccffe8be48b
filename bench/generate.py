"""A realistic newsroom corpus for the benchmark, generated deterministically and bulk-loaded.

The full shape: 1,000,000 articles over 365 days, filed under 1-3 of 2,000 topics
whose sizes follow Zipf's law; 5,000 authors (productivity Zipf-like too); 100,000 readers
who follow 3-30 topics and a few authors; 5,000,000 reading events over the last 30 days,
folded into ``reader_articles`` and ``article_engagement`` exactly as the API folds them.
Smaller scales shrink every count in proportion (topics and authors keep a floor of 100 so
that "follows 3-30 topics" still means something), so a reader's work per request keeps its
shape and only the archive and the traffic grow.

Every counter the API keeps is made consistent with the rows: topic and author article and
follower counts, topic feed versions, reading times, filing names. Random numbers come from
seeded generators, so a (scale, seed, anchor) triple always makes the same corpus; the anchor
is the load time rounded down to the minute, because the data is "the last 365 days".

PostgreSQL is loaded with COPY (asyncpg) after dropping the tables' keys, indexes and foreign
keys, which are rebuilt and validated afterwards; SQLite (small scales) with chunked
executemany through SQLAlchemy Core. Run directly to load a database:

    python bench/generate.py --scale small --database-url postgresql+asyncpg://...
"""

# Seeded pseudo-random numbers on purpose: the same seed makes the same corpus.
# ruff: noqa: S311

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import random
import time
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from words import DIURNAL, FIRST_NAMES, LAST_NAMES, SECTIONS, VOCABULARY, Phrases, Zipf

from app.articles.service import WORDS_PER_MINUTE
from app.auth.security import hash_password
from app.reader.recording import ENGAGEMENT_SHARDS
from app.slugs import slugify

HOUR = 3600.0
DAY = 86400.0
CHUNK = 10_000
READER_PASSWORD = "bench-reader-password"  # noqa: S105 - the readers of a throwaway corpus


@dataclass(frozen=True)
class Scale:
    name: str
    articles: int
    topics: int
    authors: int
    readers: int
    events: int
    days: int = 365
    event_days: int = 30

    @classmethod
    def proportional(cls, name: str, articles: int) -> Scale:
        """The full shape shrunk (or grown) to ``articles``."""
        share = articles / 1_000_000
        return cls(
            name=name,
            articles=articles,
            topics=max(100, round(2_000 * share)),
            authors=max(100, round(5_000 * share)),
            readers=max(500, round(100_000 * share)),
            events=max(25_000, round(5_000_000 * share)),
        )


SCALES = {
    "small": Scale.proportional("small", 10_000),
    "medium": Scale.proportional("medium", 100_000),
    "large": Scale.proportional("large", 300_000),
    "full": Scale.proportional("full", 1_000_000),
}


def scale_named(name: str) -> Scale:
    """A preset (small, medium, large, full) or an article count such as ``50000``."""
    if name in SCALES:
        return SCALES[name]
    if name.isdigit() and int(name) >= 1_000:
        return Scale.proportional(f"{int(name)}-articles", int(name))
    raise ValueError(f"unknown scale {name!r}: use {', '.join(SCALES)} or an article count")


def _hex_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _unique_names(rng: random.Random, count: int, make: Callable[[], str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = make()
        if slugify(name) in seen:
            name = f"{name} {len(names) + 1}"
        seen.add(slugify(name))
        names.append(name)
    return names


@dataclass
class Table:
    name: str
    columns: tuple[str, ...]
    chunks: Callable[[], Iterator[list[tuple[Any, ...]]]]


@dataclass
class Corpus:
    """Everything about the corpus that later steps (and the benchmark) need to know."""

    scale: Scale
    seed: int
    anchor: float
    topic_slugs: list[str] = field(default_factory=list)
    topic_names: list[str] = field(default_factory=list)
    author_names: list[str] = field(default_factory=list)
    reader_ids: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    published: list[float] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Generator:
    """Generates the rows of every table, table by table, in a fixed order."""

    def __init__(self, scale: Scale, seed: int, anchor: datetime) -> None:
        self.scale = scale
        self.seed = seed
        self.anchor = anchor.replace(second=0, microsecond=0).timestamp()
        self.corpus = Corpus(scale, seed, self.anchor)
        self.rng = random.Random(f"{seed}:world")
        self.password_hash = hash_password(READER_PASSWORD)
        self.phrases = Phrases(random.Random(f"{seed}:phrases"))
        self._plan_labels()
        self._plan_articles()
        self._plan_readers()

    def rng_for(self, part: str, index: int = 0) -> random.Random:
        return random.Random(f"{self.seed}:{part}:{index}")

    # -- planning: the metadata everything else refers to -------------------------------------

    def _plan_labels(self) -> None:
        rng, scale = self.rng, self.scale

        def topic_name() -> str:
            return f"{rng.choice(VOCABULARY).title()} {rng.choice(VOCABULARY).title()}"

        def author_name() -> str:
            return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"

        self.topic_names = _unique_names(rng, scale.topics, topic_name)
        self.topic_slugs = [slugify(n) for n in self.topic_names]
        self.author_names = _unique_names(rng, scale.authors, author_name)
        self.author_slugs = [slugify(n) for n in self.author_names]
        self.topic_zipf = Zipf(scale.topics, 1.0, rng)
        self.author_zipf = Zipf(scale.authors, 0.7, rng)
        # Readers favour big topics, a little less steeply than the newsroom files into them.
        self.follow_zipf = Zipf(scale.topics, 0.8, rng, self.topic_zipf.item_of_rank)
        self.corpus.topic_slugs = self.topic_slugs
        self.corpus.topic_names = self.topic_names
        self.corpus.author_names = self.author_names

    def _plan_articles(self) -> None:
        rng, scale = self.rng, self.scale
        start = self.anchor - scale.days * DAY
        hours = list(itertools.accumulate(DIURNAL))
        times = []
        for _ in range(scale.articles):
            day = start + rng.randrange(scale.days) * DAY
            hour = bisect_right(hours, rng.random() * hours[-1])
            moment = day + hour * HOUR + rng.random() * HOUR
            times.append(min(moment, self.anchor - 60))
        times.sort()
        self.published = times
        self.article_ids = [_hex_id(rng) for _ in range(scale.articles)]
        self.article_topics: list[list[int]] = []
        self.article_authors: list[list[int]] = []
        self.retracted: set[int] = set()
        self.editors_pick: set[int] = set()
        topic_articles: list[list[int]] = [[] for _ in range(scale.topics)]
        topic_counts = [0] * scale.topics
        author_counts = [0] * scale.authors
        topic_newest = [0.0] * scale.topics
        for index in range(scale.articles):
            draw = rng.random()
            topics = self.topic_zipf.distinct(rng, 1 if draw < 0.5 else 2 if draw < 0.85 else 3)
            authors = self.author_zipf.distinct(rng, 1 if rng.random() < 0.9 else 2)
            self.article_topics.append(topics)
            self.article_authors.append(authors)
            if rng.random() < 0.001:
                self.retracted.add(index)  # retracted: unfiled, counted nowhere
                continue
            if rng.random() < 0.02:
                self.editors_pick.add(index)
            for topic in topics:
                topic_articles[topic].append(index)
                topic_counts[topic] += 1
                topic_newest[topic] = self.published[index]
            for author in authors:
                author_counts[author] += 1
        self.topic_articles = topic_articles
        # Publication times per topic, for "an article of this topic from around then".
        self.topic_times = [[self.published[i] for i in arts] for arts in topic_articles]
        self.topic_counts, self.author_counts = topic_counts, author_counts
        self.topic_newest = topic_newest
        self.corpus.article_ids = self.article_ids
        self.corpus.published = self.published

    def _plan_readers(self) -> None:
        rng, scale = self.rng, self.scale
        self.reader_ids = [_hex_id(rng) for _ in range(scale.readers)]
        self.follows: list[list[int]] = []
        self.follows_authors: list[list[int]] = []
        topic_followers = [0] * scale.topics
        author_followers = [0] * scale.authors
        author_counts = [0, 1, 2, 3, 4, 5]
        author_weights = [30, 25, 20, 12, 8, 5]
        for _ in range(scale.readers):
            wanted = min(scale.topics, 3 + int(28 * rng.random() ** 2))
            topics = self.follow_zipf.distinct(rng, wanted)
            authors = self.author_zipf.distinct(rng, rng.choices(author_counts, author_weights)[0])
            self.follows.append(topics)
            self.follows_authors.append(authors)
            for topic in topics:
                topic_followers[topic] += 1
            for author in authors:
                author_followers[author] += 1
        self.topic_followers, self.author_followers = topic_followers, author_followers
        # How active each reader is: a long tail of heavy readers.
        self.activity = list(
            itertools.accumulate(rng.lognormvariate(0, 1) for _ in self.reader_ids)
        )
        self.corpus.reader_ids = self.reader_ids

    # -- tables ----------------------------------------------------------------------------

    def tables(self) -> list[Table]:
        return [
            Table("topics", TOPIC_COLUMNS, self._topics),
            Table("authors", AUTHOR_COLUMNS, self._authors),
            Table("articles", ARTICLE_COLUMNS, self._articles),
            Table("article_topics", LINK_COLUMNS["topic_id"], lambda: self._links("topic_id")),
            Table("article_authors", LINK_COLUMNS["author_id"], lambda: self._links("author_id")),
            Table("users", USER_COLUMNS, self._users),
            Table("topic_subscriptions", ("user_id", "topic_id", "created_at"), self._topic_subs),
            Table(
                "author_subscriptions", ("user_id", "author_id", "created_at"), self._author_subs
            ),
            Table("topic_mutes", ("user_id", "topic_id", "until", "created_at"), self._mutes),
            Table("hidden_articles", ("user_id", "article_id", "created_at"), self._hidden),
            Table("reading_events", EVENT_COLUMNS, self._events),
            Table("reader_articles", READER_ARTICLE_COLUMNS, self._reader_articles),
            Table("article_engagement", ENGAGEMENT_COLUMNS, self._engagement),
        ]

    def _topics(self) -> Iterator[list[tuple[Any, ...]]]:
        created = _utc(self.anchor - (self.scale.days + 30) * DAY)
        rows = []
        for index, (slug, name) in enumerate(zip(self.topic_slugs, self.topic_names, strict=True)):
            count = self.topic_counts[index]
            updated = _utc(self.topic_newest[index]) if count else created
            rows.append(
                (index + 1, slug, name, f"News and analysis: {name}.", count,
                 self.topic_followers[index], count, updated, created, updated)
            )  # fmt: skip
        yield rows

    def _authors(self) -> Iterator[list[tuple[Any, ...]]]:
        created = _utc(self.anchor - (self.scale.days + 30) * DAY)
        yield [
            (
                index + 1,
                slug,
                name,
                self.author_counts[index],
                self.author_followers[index],
                created,
            )
            for index, (slug, name) in enumerate(
                zip(self.author_slugs, self.author_names, strict=True)
            )
        ]

    def _articles(self) -> Iterator[list[tuple[Any, ...]]]:
        for start in range(0, self.scale.articles, CHUNK):
            rng = self.rng_for("articles", start)
            rows = []
            for index in range(start, min(start + CHUNK, self.scale.articles)):
                rows.append(self._article_row(rng, index))
            yield rows

    def _article_row(self, rng: random.Random, index: int) -> tuple[Any, ...]:
        article_id = self.article_ids[index]
        published = self.published[index]
        phrases = self.phrases
        headline = phrases.headline(rng)
        section = SECTIONS[self.article_topics[index][0] % len(SECTIONS)]
        day = _utc(published)
        url = (
            f"https://news.bench.mynews.dev/{section.lower()}/{day:%Y/%m/%d}/"
            f"{slugify(headline)[:60].strip('-')}-{index + 1}"
        )
        body, words = phrases.body(rng, int(rng.triangular(60, 600, 120)))
        image = None
        if rng.random() < 0.7:
            image = {
                "url": f"https://img.bench.mynews.dev/{article_id}.jpg",
                "caption": rng.choice(phrases.medium),
                "credit": f"Photo: {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            }
        video = None
        if rng.random() < 0.03:
            video = {
                "url": f"https://video.bench.mynews.dev/{article_id}.mp4",
                "title": headline,
                "duration_seconds": rng.randint(30, 600),
            }
        updated = published + (rng.random() * 6 * HOUR if rng.random() < 0.2 else 0.0)
        retracted = None
        if index in self.retracted:
            retracted = _utc(min(self.anchor - 1, published + rng.random() * DAY))
        return (
            index + 1,
            article_id,
            f"cms-{index + 1}",
            url,
            headline,
            rng.choice(phrases.long),
            rng.choices(phrases.medium, k=rng.randint(0, 3)),
            body,
            section,
            [],
            image,
            video,
            "en",
            rng.choice(("GB", "US", None)),
            day,
            _utc(min(updated, self.anchor - 1)),
            int(rng.paretovariate(1.2)) - 1 if rng.random() < 0.4 else 0,
            max(1, math.ceil(words / WORDS_PER_MINUTE)),
            index in self.editors_pick,
            [self.topic_names[t] for t in self.article_topics[index]],
            [self.author_names[a] for a in self.article_authors[index]],
            [] if retracted else [t + 1 for t in self.article_topics[index]],
            [] if retracted else [a + 1 for a in self.article_authors[index]],
            hashlib.sha256(f"{article_id}:{headline}".encode()).hexdigest(),
            day,
            retracted,
        )

    def _links(self, key: str) -> Iterator[list[tuple[Any, ...]]]:
        labels = self.article_topics if key == "topic_id" else self.article_authors
        rows: list[tuple[Any, ...]] = []
        for index, filed in enumerate(labels):
            if index in self.retracted:
                continue
            published = _utc(self.published[index])
            article_id = self.article_ids[index]
            rows.extend(
                (article_id, label + 1, position, published) for position, label in enumerate(filed)
            )
            if len(rows) >= CHUNK:
                yield rows
                rows = []
        yield rows

    def _users(self) -> Iterator[list[tuple[Any, ...]]]:
        rng = self.rng_for("users")
        rows = []
        for index, user_id in enumerate(self.reader_ids):
            created = _utc(self.anchor - rng.random() * 2 * 365 * DAY)
            rows.append(
                (user_id, f"reader{index}@bench.mynews.dev", self.password_hash,
                 f"Reader {index}", "reader", "en", rng.choice(("GB", "US", None)),
                 created, created)
            )  # fmt: skip
            if len(rows) >= CHUNK:
                yield rows
                rows = []
        yield rows

    def _subs(self, follows: list[list[int]], part: str) -> Iterator[list[tuple[Any, ...]]]:
        rng = self.rng_for(part)
        rows: list[tuple[Any, ...]] = []
        for user_id, labels in zip(self.reader_ids, follows, strict=True):
            rows.extend(
                (user_id, label + 1, _utc(self.anchor - rng.random() * 365 * DAY))
                for label in labels
            )
            if len(rows) >= CHUNK:
                yield rows
                rows = []
        yield rows

    def _topic_subs(self) -> Iterator[list[tuple[Any, ...]]]:
        return self._subs(self.follows, "topic-subs")

    def _author_subs(self) -> Iterator[list[tuple[Any, ...]]]:
        return self._subs(self.follows_authors, "author-subs")

    def _mutes(self) -> Iterator[list[tuple[Any, ...]]]:
        # A few readers mute one topic they do not follow; a third of them as a snooze.
        rng = self.rng_for("mutes")
        rows = []
        for user_id, follows in zip(self.reader_ids, self.follows, strict=True):
            if rng.random() < 0.03:
                topic = self.topic_zipf.draw(rng)
                if topic in follows:
                    continue
                until = _utc(self.anchor + 7 * DAY) if rng.random() < 0.33 else None
                rows.append((user_id, topic + 1, until, _utc(self.anchor - 10 * DAY)))
        yield rows

    def _hidden(self) -> Iterator[list[tuple[Any, ...]]]:
        rng = self.rng_for("hidden")
        recent = bisect_right(self.published, self.anchor - 7 * DAY)
        rows: list[tuple[Any, ...]] = []
        for user_id in self.reader_ids:
            if rng.random() < 0.02 and recent < len(self.published):
                picks = {rng.randrange(recent, len(self.published)) for _ in range(3)}
                rows.extend((user_id, self.article_ids[i], _utc(self.anchor - DAY)) for i in picks)
        yield rows

    # -- reading events, folded as the API folds them ----------------------------------------

    def _pick_article(self, rng: random.Random, reader: int, moment: float) -> int | None:
        """An article the reader could have come across at ``moment``: recent, and most often
        from a topic they follow."""
        age = rng.expovariate(1 / (12 * HOUR)) if rng.random() < 0.85 else rng.random() * 30 * DAY
        at = moment - age
        follows = self.follows[reader]
        if follows and rng.random() < 0.6:
            topic = follows[int(rng.random() * len(follows))]
            position = bisect_right(self.topic_times[topic], at) - 1
            return self.topic_articles[topic][position] if position >= 0 else None
        position = bisect_right(self.published, at) - 1
        if position < 0 or position in self.retracted:
            return None
        return position

    def _events(self) -> Iterator[list[tuple[Any, ...]]]:
        """Reading sessions: an impression, maybe an open, a read, a like, a share or a
        dislike. Each event row is yielded; the reader's per-article state is kept for
        ``reader_articles`` and ``article_engagement``."""
        scale, anchor = self.scale, self.anchor
        rng = self.rng_for("events")
        start = anchor - scale.event_days * DAY
        hours = list(itertools.accumulate(DIURNAL))
        # (reader index, article index) -> [impressed, opened, read, shared, liked, disliked,
        #  last_read, dwell_ms]
        states: dict[tuple[int, int], list[Any]] = {}
        self.states = states
        rows: list[tuple[Any, ...]] = []
        made = 0
        serial = itertools.count()
        prefix = f"{self.seed:08x}"
        total_activity = self.activity[-1]
        while made < scale.events:
            reader = bisect_right(self.activity, rng.random() * total_activity)
            reader = min(reader, scale.readers - 1)
            day = start + rng.randrange(scale.event_days) * DAY
            moment = day + bisect_right(hours, rng.random() * hours[-1]) * HOUR
            moment += rng.random() * HOUR
            if moment >= anchor:
                continue
            article = self._pick_article(rng, reader, moment)
            if article is None or article in self.retracted or self.published[article] > moment:
                continue
            session: list[tuple[str, float, int | None]] = [("impression", moment, None)]
            if rng.random() < 0.3:
                opened = moment + rng.uniform(2, 120)
                session.append(("open", opened, None))
                if rng.random() < 0.55:
                    dwell = int(rng.uniform(20_000, 360_000))
                    read = opened + dwell / 1000
                    session.append(("read", read, dwell))
                    if rng.random() < 0.08:
                        session.append(("like", read + 1, None))
                    if rng.random() < 0.04:
                        session.append(("share", read + 2, None))
                elif rng.random() < 0.05:
                    session.append(("dislike", opened + 5, None))
            user_id = self.reader_ids[reader]
            article_id = self.article_ids[article]
            state = states.get((reader, article))
            if state is None:
                state = [None, None, None, None, None, None, None, 0]
                states[(reader, article)] = state
            for kind, at, dwell_ms in session:
                if at >= anchor:
                    break
                column = STATE_INDEX[kind]
                if state[column] is None or at < state[column]:
                    state[column] = at
                if kind in ("open", "read") and (state[6] is None or at > state[6]):
                    state[6] = at
                if dwell_ms:
                    state[7] += dwell_ms
                received = min(at + rng.uniform(0.5, 30), anchor)
                rows.append(
                    (user_id, f"{prefix}{next(serial):024x}", kind, article_id, _utc(at), dwell_ms,
                     _utc(received))
                )  # fmt: skip
                made += 1
            if len(rows) >= CHUNK:
                yield rows
                rows = []
        yield rows
        self.corpus.counts["reader_articles"] = len(states)

    def _reader_articles(self) -> Iterator[list[tuple[Any, ...]]]:
        rows: list[tuple[Any, ...]] = []
        reader_ids, article_ids = self.reader_ids, self.article_ids
        fromtimestamp = datetime.fromtimestamp
        for (reader, article), state in self.states.items():
            rows.append(
                (reader_ids[reader], article_ids[article],
                 *[None if at is None else fromtimestamp(at, UTC) for at in state[:7]], state[7])
            )  # fmt: skip
            if len(rows) >= CHUNK:
                yield rows
                rows = []
        yield rows

    def _engagement(self) -> Iterator[list[tuple[Any, ...]]]:
        """Each reader counts once per article and signal, in the hour of that signal."""
        shards = [zlib.crc32(r.encode()) % ENGAGEMENT_SHARDS for r in self.reader_ids]
        # (article, hour, shard) packed into one int, in that order of significance: millions
        # of ints hash and sort several times faster than tuples, in the same order.
        buckets: dict[int, list[int]] = {}
        for (reader, article), state in self.states.items():
            bucket = article << BUCKET_ARTICLE_SHIFT | shards[reader]
            for column in range(6):
                at = state[column]
                if at is None:
                    continue
                key = bucket | int(at // HOUR) << BUCKET_HOUR_SHIFT
                counters = buckets.get(key)
                if counters is None:
                    counters = buckets[key] = [0, 0, 0, 0, 0, 0]
                counters[column] += 1
        self.states = {}
        self.corpus.counts["article_engagement"] = len(buckets)
        # A few hundred distinct hours: each made a datetime once.
        hours: dict[int, datetime] = {}
        hour_mask = (1 << (BUCKET_ARTICLE_SHIFT - BUCKET_HOUR_SHIFT)) - 1
        rows: list[tuple[Any, ...]] = []
        for key in sorted(buckets):
            hour = key >> BUCKET_HOUR_SHIFT & hour_mask
            start = hours.get(hour)
            if start is None:
                start = hours[hour] = _utc(hour * HOUR)
            rows.append(
                (self.article_ids[key >> BUCKET_ARTICLE_SHIFT], start, key & BUCKET_SHARD_MASK,
                 *buckets[key])
            )  # fmt: skip
            if len(rows) >= CHUNK:
                yield rows
                rows = []
        yield rows


# An engagement bucket's key: its article above its hour (since the epoch) above its shard.
BUCKET_HOUR_SHIFT = (ENGAGEMENT_SHARDS - 1).bit_length()
BUCKET_ARTICLE_SHIFT = 32
BUCKET_SHARD_MASK = (1 << BUCKET_HOUR_SHIFT) - 1

# reader_articles state columns, in the order of READER_ARTICLE_COLUMNS.
STATE_INDEX = {"impression": 0, "open": 1, "read": 2, "share": 3, "like": 4, "dislike": 5}
TOPIC_COLUMNS = (
    "id", "slug", "name", "description", "article_count", "follower_count", "feed_version",
    "feed_updated_at", "created_at", "updated_at",
)  # fmt: skip
AUTHOR_COLUMNS = ("id", "slug", "name", "article_count", "follower_count", "created_at")
ARTICLE_COLUMNS = (
    "pk", "id", "external_id", "url", "headline", "standfirst", "summary", "body", "section",
    "credits", "image", "video", "language", "region", "published_at", "updated_at",
    "comment_count", "reading_time_minutes", "editors_pick", "topic_names", "author_names",
    "topic_ids", "author_ids", "content_hash", "created_at", "retracted_at",
)  # fmt: skip
LINK_COLUMNS = {
    "topic_id": ("article_id", "topic_id", "position", "published_at"),
    "author_id": ("article_id", "author_id", "position", "published_at"),
}
USER_COLUMNS = (
    "id", "email", "password_hash", "display_name", "role", "language", "region", "created_at",
    "updated_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "user_id", "client_event_id", "type", "article_id", "occurred_at", "dwell_ms", "received_at",
)  # fmt: skip
READER_ARTICLE_COLUMNS = (
    "user_id", "article_id", "impressed_at", "opened_at", "read_at", "shared_at", "liked_at",
    "disliked_at", "last_read_at", "dwell_ms",
)  # fmt: skip
ENGAGEMENT_COLUMNS = (
    "article_id", "bucket_start", "shard", "impressions", "opens", "reads", "shares", "likes",
    "dislikes",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", required=True, help="an empty, migrated database")
    args = parser.parse_args()
    started = time.perf_counter()
    generator = Generator(scale_named(args.scale), args.seed, datetime.now(UTC))
    print(f"planned in {time.perf_counter() - started:.1f}s")
    from bulkload import load  # it imports this module

    load(args.database_url, generator, print)
    print(f"done in {time.perf_counter() - started:.1f}s: {generator.corpus.counts}")


if __name__ == "__main__":
    main()
