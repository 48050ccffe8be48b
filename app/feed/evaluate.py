"""Offline evaluation: replay MIND impression logs through the feed's own ranking.

How MIND maps onto the ranking (``news.tsv`` and ``behaviors.tsv`` of one MIND split):

- Topics: every category and every (category, subcategory) pair gets an integer id;
  ``Candidate.topics`` is ``(subcategory, category)``, so the primary topic is the subcategory.
  Inferred interest takes the strongest of an article's topics, which is in practice the
  category's (every subcategory click is also a category click).
- Freshness is neutral: MIND has no publish time, so every candidate is published at the
  impression time.
- Engagement: each click in an impression shown strictly earlier (an earlier timestamp; the
  same second does not count) is one ``opens`` in that click's hourly bucket, and the buckets
  of the last ``ENGAGEMENT_WINDOW_HOURS`` go through ``ranking.decayed_engagement``, as the
  live feed does with its engagement counters.
- Profile: MIND history carries no times; each history click is an ``open`` of the article's
  topics ``HISTORY_AGE_HOURS`` before the impression, through ``ranking.interest``. MIND has
  no follows, authors or editors' picks.

Metrics follow the official MIND scorer (msnews/MIND ``evaluate.py``): per impression AUC
(sklearn's ``roc_auc_score``), MRR over all clicked items, nDCG@5 and nDCG@10 with gains
``2**label - 1``, each averaged over impressions. Where scores tie, the official helpers
order by numpy's ``argsort`` reversed; here ties keep the order of the impression (a stable
sort on ``(-score, position)``), and AUC counts a tie as half (Mann-Whitney), as sklearn does.
The official scorer cannot score an impression with a single label class (sklearn raises, or
returns nan in newer versions), so such impressions are skipped for every metric and counted.

Memory: news.tsv is held in a dict. behaviors.tsv is read twice: a first pass keeps 24 bytes
per impression (offset, time, line number) and, only when the file is not already in time
order, a sorted index of about 40 bytes more per impression; the second pass seeks to each
line in time order, so the impressions themselves are never all held at once. ``limit``
evaluates the first ``limit`` impressions of the file, in time order.
"""

import math
import random
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.feed import ranking

HISTORY_AGE_HOURS = 24.0
# The live feed's trending window (TRENDING_WINDOW_HOURS in app/feed/service.py).
ENGAGEMENT_WINDOW_HOURS = 48.0
METHODS = ("ranking", "popularity", "random")
MIND_TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"
NEWS_COLUMNS = 8
BEHAVIOR_COLUMNS = 5


@dataclass(frozen=True)
class MethodResult:
    method: str
    impressions: int
    auc: float
    mrr: float
    ndcg5: float
    ndcg10: float


@dataclass(frozen=True)
class EvaluationReport:
    results: tuple[MethodResult, ...]
    impressions_read: int
    skipped_single_class: int  # no clicked item, or nothing but clicked items


@dataclass(frozen=True)
class _News:
    topics: tuple[int, ...]


def ranked_order(scores: Sequence[float]) -> list[int]:
    """Positions from best to worst score; ties keep their order in the impression."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def _check(labels: Sequence[int], scores: Sequence[float]) -> None:
    if len(labels) != len(scores):
        raise ValueError(f"{len(labels)} labels but {len(scores)} scores")
    if not any(labels):
        raise ValueError("no clicked item: the metric is undefined")


def auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Area under the ROC curve (Mann-Whitney U, a tie counts half), as roc_auc_score."""
    _check(labels, scores)
    positives = sum(labels)
    negatives = len(labels) - positives
    if negatives == 0:
        raise ValueError("only clicked items: AUC is undefined")
    by_score = sorted(range(len(scores)), key=lambda i: scores[i])
    positive_rank_sum = 0.0
    start = 0
    while start < len(by_score):
        end = start
        while end + 1 < len(by_score) and scores[by_score[end + 1]] == scores[by_score[start]]:
            end += 1
        # Tied items share the average of their 1-based ranks.
        tied_positives = sum(labels[i] for i in by_score[start : end + 1])
        positive_rank_sum += tied_positives * ((start + end) / 2 + 1)
        start = end + 1
    u = positive_rank_sum - positives * (positives + 1) / 2
    return u / (positives * negatives)


def mrr(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Reciprocal rank averaged over the clicked items, as the official mrr_score."""
    _check(labels, scores)
    reciprocal = sum(labels[i] / rank for rank, i in enumerate(ranked_order(scores), start=1))
    return reciprocal / sum(labels)


def dcg(labels: Sequence[int], scores: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the top ``k``, as the official dcg_score."""
    top = ranked_order(scores)[:k]
    return sum(
        (math.pow(2, labels[i]) - 1) / math.log2(rank + 1) for rank, i in enumerate(top, start=1)
    )


def ndcg(labels: Sequence[int], scores: Sequence[float], k: int) -> float:
    """DCG of the top ``k`` over the best possible, as the official ndcg_score."""
    _check(labels, scores)
    return dcg(labels, scores, k) / dcg(labels, labels, k)


def _read_news(path: Path) -> dict[str, _News]:
    news: dict[str, _News] = {}
    topic_ids: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) != NEWS_COLUMNS or not fields[0] or not fields[1]:
                raise ValueError(
                    f"{path.name} line {number}: expected {NEWS_COLUMNS} tab-separated columns "
                    "with a news id and a category"
                )
            news_id, category, subcategory = fields[:3]
            keys = [(category, subcategory)] if subcategory else []
            keys.append((category, ""))
            topics = tuple(topic_ids.setdefault(key, len(topic_ids) + 1) for key in keys)
            news[news_id] = _News(topics)
    return news


def _parse_time(raw: bytes, path: Path, number: int) -> float:
    fields = raw.decode("utf-8").rstrip("\r\n").split("\t")
    if len(fields) != BEHAVIOR_COLUMNS:
        raise ValueError(
            f"{path.name} line {number}: expected {BEHAVIOR_COLUMNS} tab-separated columns, "
            f"found {len(fields)}"
        )
    try:
        at = datetime.strptime(fields[2], MIND_TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(
            f"{path.name} line {number}: time {fields[2]!r} is not like 11/15/2019 8:55:22 AM"
        ) from None
    return at.timestamp()


def _in_time_order(path: Path, limit: int | None) -> Iterator[tuple[int, datetime, list[str]]]:
    """(line number, time, fields) of each impression, earliest first, ties in file order."""
    offsets, times, numbers = array("q"), array("d"), array("q")
    with path.open("rb") as file:
        offset = 0
        for number, raw in enumerate(file, start=1):
            if limit is not None and len(offsets) >= limit:
                break
            if raw.strip():
                offsets.append(offset)
                times.append(_parse_time(raw, path, number))
                numbers.append(number)
            offset += len(raw)
        in_order = all(times[i] <= times[i + 1] for i in range(len(times) - 1))
        order: Sequence[int] = (
            range(len(times)) if in_order else sorted(range(len(times)), key=times.__getitem__)
        )
        for index in order:
            file.seek(offsets[index])
            fields = file.readline().decode("utf-8").rstrip("\r\n").split("\t")
            yield numbers[index], datetime.fromtimestamp(times[index], UTC), fields


def _impression(
    fields: list[str], news: dict[str, _News], where: str
) -> tuple[list[str], list[str], list[int]]:
    """History, shown news ids and their click labels of one behaviors line."""
    history = fields[3].split()
    shown, labels = [], []
    for item in fields[4].split():
        news_id, _, label = item.rpartition("-")
        if not news_id or label not in ("0", "1"):
            raise ValueError(f"{where}: impression {item!r} is not like N12345-1 or N12345-0")
        shown.append(news_id)
        labels.append(int(label))
    unknown = next((n for n in (*history, *shown) if n not in news), None)
    if unknown is not None:
        raise ValueError(f"{where}: news id {unknown!r} is not in news.tsv")
    return history, shown, labels


def _profile(
    history: list[str], news: dict[str, _News], now: datetime, half_life_hours: float
) -> ranking.Profile:
    opened = now - timedelta(hours=HISTORY_AGE_HOURS)
    signals: defaultdict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for news_id in history:
        for topic in news[news_id].topics:
            signals[topic].append(("open", opened))
    return ranking.Profile(
        topic_interest={t: ranking.interest(s, now, half_life_hours) for t, s in signals.items()}
    )


class _Clicks:
    """Clicks seen so far: all-time counts and hourly buckets of the recent window."""

    def __init__(self) -> None:
        self.total: Counter[str] = Counter()
        self.hourly: defaultdict[str, Counter[datetime]] = defaultdict(Counter)

    def add(self, news_id: str, at: datetime) -> None:
        self.total[news_id] += 1
        self.hourly[news_id][at.replace(minute=0, second=0, microsecond=0)] += 1

    def engagement(self, news_id: str, now: datetime, half_life_hours: float) -> float:
        buckets = self.hourly.get(news_id)
        if not buckets:
            return 0.0
        window_start = now - timedelta(hours=ENGAGEMENT_WINDOW_HOURS)
        for hour in [h for h in buckets if h < window_start]:
            del buckets[hour]  # time only moves forward: it will never count again
        opens = [(hour, {"opens": count}) for hour, count in buckets.items()]
        return ranking.decayed_engagement(opens, now, half_life_hours)


def evaluate_mind(
    directory: Path,
    *,
    limit: int | None = None,
    weights: ranking.Weights | None = None,
    engagement_half_life_hours: float = 6.0,
    interest_half_life_hours: float = 14 * 24.0,
) -> EvaluationReport:
    """Replay a MIND split's impressions; score the ranking and two baselines on them."""
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    weights = weights or ranking.Weights()
    news = _read_news(directory / "news.tsv")
    behaviors = directory / "behaviors.tsv"
    chance = random.Random(0)  # noqa: S311 - a reproducible baseline, not a secret
    clicks = _Clicks()
    pending: list[str] = []  # clicked at ``pending_at``: visible only to later impressions
    pending_at: datetime | None = None
    metrics: dict[str, list[tuple[float, float, float, float]]] = {m: [] for m in METHODS}
    read = skipped = 0
    for number, now, fields in _in_time_order(behaviors, limit):
        if now != pending_at:
            for news_id in pending:
                clicks.add(news_id, pending_at or now)  # pending is empty while pending_at is None
            pending, pending_at = [], now
        history, shown, labels = _impression(fields, news, f"{behaviors.name} line {number}")
        read += 1
        pending.extend(n for n, label in zip(shown, labels, strict=True) if label)
        if len(set(labels)) < 2:
            skipped += 1
            continue
        profile = _profile(history, news, now, interest_half_life_hours)
        candidates = [
            ranking.Candidate(
                article_id=news_id,
                published_at=now,
                topics=news[news_id].topics,
                engagement=clicks.engagement(news_id, now, engagement_half_life_hours),
            )
            for news_id in shown
        ]
        scores = {
            "ranking": [s.score for s in map(ranking.scorer(profile, now, weights), candidates)],
            "popularity": [float(clicks.total[n]) for n in shown],
            "random": [chance.random() for _ in shown],
        }
        for method, method_scores in scores.items():
            metrics[method].append(
                (
                    auc(labels, method_scores),
                    mrr(labels, method_scores),
                    ndcg(labels, method_scores, 5),
                    ndcg(labels, method_scores, 10),
                )
            )
    results = tuple(_average(method, metrics[method]) for method in METHODS)
    return EvaluationReport(results, impressions_read=read, skipped_single_class=skipped)


def _average(method: str, rows: list[tuple[float, float, float, float]]) -> MethodResult:
    if not rows:
        return MethodResult(method, 0, math.nan, math.nan, math.nan, math.nan)
    means = [math.fsum(column) / len(rows) for column in zip(*rows, strict=True)]
    return MethodResult(method, len(rows), *means)


def format_report(report: EvaluationReport) -> list[str]:
    """The report as a small text table, one line per method."""

    def cell(value: float) -> str:
        return f"{value:>8.4f}" if not math.isnan(value) else f"{'n/a':>8}"

    lines = [f"{'method':<12}{'impressions':>12}{'AUC':>8}{'MRR':>8}{'nDCG@5':>8}{'nDCG@10':>8}"]
    for r in report.results:
        values = "".join(cell(v) for v in (r.auc, r.mrr, r.ndcg5, r.ndcg10))
        lines.append(f"{r.method:<12}{r.impressions:>12}{values}")
    lines.append(
        f"{report.impressions_read} impressions read, {report.skipped_single_class} skipped "
        "(no click, or clicks only: the metrics are undefined)"
    )
    return lines
