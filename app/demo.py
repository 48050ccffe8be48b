"""The demo newsroom that `mynews seed-demo` creates: safe to run again and again."""

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import demo_content
from app.articles import batch as article_batch
from app.db import utcnow
from app.models import Article, ArticleAuthor, ArticleTopic, Role
from app.users import service as user_service

# Published on purpose: these accounts exist only in demo databases (refused in production).
DEMO_ACCOUNTS = (
    ("reader@demo.mynews.dev", "demo-reader-password", "Demo Reader", Role.READER),
    ("editor@demo.mynews.dev", "demo-editor-password", "Demo Editor", Role.EDITOR),
    ("admin@demo.mynews.dev", "demo-admin-password", "Demo Admin", Role.ADMIN),
)


async def _seed_accounts(session: AsyncSession) -> list[str]:
    lines = ["Demo accounts (email / password / role):"]
    for email, password, display_name, role in DEMO_ACCOUNTS:
        if await user_service.get_user_by_email(session, email) is None:
            await user_service.create_user(
                session, email=email, password=password, display_name=display_name, role=role
            )
        lines.append(f"  {email} / {password} / {role.value}")
    return lines


async def _demo_anchor(session: AsyncSession, now: datetime) -> datetime:
    """The time the demo's dates count back from: fixed by the first run, kept by the rest."""
    first = await session.scalar(
        select(Article.published_at).where(Article.external_id == demo_content.FIRST_EXTERNAL_ID)
    )
    return demo_content.first_anchor(now) if first is None else demo_content.anchor_of(first)


async def _seed_articles(session: AsyncSession, now: datetime) -> list[str]:
    anchor = await _demo_anchor(session, now)
    articles = demo_content.demo_articles(anchor)
    results = await article_batch.upsert_articles(session, articles, now)
    counts = Counter(result.status for result in results)
    demo_ids = [r.id for r in results if r.id is not None]
    topics = await session.scalar(
        select(func.count(func.distinct(ArticleTopic.topic_id))).where(
            ArticleTopic.article_id.in_(demo_ids)
        )
    )
    authors = await session.scalar(
        select(func.count(func.distinct(ArticleAuthor.author_id))).where(
            ArticleAuthor.article_id.in_(demo_ids)
        )
    )
    lines = [
        f"Demo newsroom: {len(articles)} articles in {topics} topics by {authors} authors, "
        f"published in the {demo_content.SPAN.days} days to {anchor:%Y-%m-%d %H:%M} UTC",
        f"  this run: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['error']} errors",
    ]
    lines += [
        f"  {articles[r.index]['external_id']}: {r.error}" for r in results if r.status == "error"
    ]
    return lines


async def seed(session: AsyncSession, now: datetime | None = None) -> list[str]:
    """Create whatever part of the demo is missing; returns lines describing it."""
    now = now or utcnow()
    return await _seed_accounts(session) + await _seed_articles(session, now)
