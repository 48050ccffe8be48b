"""``mode=latest``: what the reader follows, strictly newest first, keyset-paged.

Each followed topic and author contributes its newest articles after the cursor (an index
range scan each, in one statement for topics and one for authors); the lists are merged in
time order. Only the part of the merge that every
label has fully delivered is served, so no article can be skipped by a label that had more.
"""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import queries as article_queries
from app.articles.schemas import ArticleSummary
from app.feed import signals
from app.feed.ranking import Candidate
from app.feed.schemas import FeedItem, ReasonOut
from app.feed.service import is_muted
from app.models import ArticleAuthor, ArticleTopic
from app.reader import service as reader_service

Position = tuple[datetime, str]


async def _windows(
    session: AsyncSession,
    link: type[ArticleTopic] | type[ArticleAuthor],
    label_ids: list[int],
    per_label: int,
    after: Position | None,
) -> list[list[Position]]:
    """Each label's newest articles strictly after ``after``, newest first."""
    windows: dict[int, list[Position]] = {label_id: [] for label_id in label_ids}
    rows = await article_queries.newest_filed(session, link, label_ids, per_label, after)
    for article_id, published_at, label_id in rows:
        windows[label_id].append((published_at, article_id))
    return [sorted(window, reverse=True) for window in windows.values()]


async def latest_page(
    session: AsyncSession,
    user_id: str,
    now: datetime,
    *,
    limit: int,
    after: Position | None,
    include_read: bool,
) -> tuple[list[FeedItem], Position | None]:
    """One page of followed articles, newest first, each with the follow that brought it."""
    labels = await reader_service.reader_labels(session, user_id, now)
    topics, authors = labels.followed_topics, labels.followed_authors
    muted_topics, muted_authors = labels.muted_topics, labels.muted_authors
    per_label = 2 * limit + 1
    windows = await _windows(session, ArticleTopic, topics, per_label, after)
    windows += await _windows(session, ArticleAuthor, authors, per_label, after)

    # A label that filled its window may hold more below it: serve only down to the highest
    # of those windows' last positions, where every label's list is still complete.
    floors = [window[-1] for window in windows if len(window) == per_label]
    floor = max(floors) if floors else None
    merged = sorted({position for window in windows for position in window}, reverse=True)
    complete = [p for p in merged if floor is None or p >= floor]

    ids = [article_id for _, article_id in complete]
    excluded = await signals.excluded_for(session, user_id, ids, include_read=include_read)
    candidates = {c.article_id: c for c in await signals.candidates_of(session, ids)}
    chosen: list[Position] = []
    consumed = 0
    for position in complete:
        if len(chosen) == limit:
            break
        consumed += 1
        candidate = candidates.get(position[1])
        if (
            candidate is not None
            and position[1] not in excluded
            and not is_muted(candidate, muted_topics, muted_authors)
        ):
            chosen.append(position)
    more = consumed < len(complete) or floor is not None
    summaries = await article_queries.load_summaries(session, [a for _, a in chosen])
    items = [
        FeedItem(
            article=summary,
            score=0.0,
            reasons=_follow_reasons(summary, candidates[summary.id], set(topics), set(authors)),
        )
        for summary in summaries
    ]
    return items, complete[consumed - 1] if more and consumed else None


def _follow_reasons(
    summary: ArticleSummary, candidate: Candidate, topics: set[int], authors: set[int]
) -> list[ReasonOut]:
    """The followed topics and authors an article is filed under."""
    reasons = [
        ReasonOut(code="followed_topic", topic=ref.slug)
        for topic_id, ref in zip(candidate.topics, summary.topics, strict=False)
        if topic_id in topics
    ]
    reasons += [
        ReasonOut(code="followed_author", author=ref.slug)
        for author_id, ref in zip(candidate.authors, summary.authors, strict=False)
        if author_id in authors
    ]
    return reasons or [ReasonOut(code="recent")]
