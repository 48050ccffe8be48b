"""The demo newsroom of `mynews seed-demo`: rich enough to explore, and safe to run again."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import demo
from app.models import Article, Author, Topic

NOW = datetime(2026, 11, 27, 9, 41, 17, tzinfo=UTC)
LI_SHANGFU = (
    "Russia and China show solidarity as Chinese defence minister Li Shangfu heads to Moscow"
)


async def demo_articles(session: AsyncSession) -> list[Article]:
    statement = (
        select(Article)
        .where(Article.external_id.like("demo-%"))
        .order_by(Article.external_id)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(statement)).all())


async def test_demo_newsroom_has_plenty_to_explore(session: AsyncSession) -> None:
    lines = await demo.seed(session, NOW)

    articles = await demo_articles(session)
    assert len(articles) >= 200
    assert (await session.scalar(select(func.count()).select_from(Topic)) or 0) >= 20
    assert (await session.scalar(select(func.count()).select_from(Author)) or 0) >= 30
    assert f"  this run: {len(articles)} created, 0 updated, 0 unchanged, 0 errors" in lines
    assert "  reader@demo.mynews.dev / demo-reader-password / reader" in lines

    # Spread over the last fortnight, never in the future.
    dates = [a.published_at for a in articles]
    assert NOW - timedelta(days=14) <= min(dates) < NOW - timedelta(days=10)
    assert NOW - timedelta(days=1) < max(dates) <= NOW
    assert len({a.section for a in articles}) >= 10
    assert all(a.url.startswith("https://news.example/") for a in articles)
    assert {a.language for a in articles} == {"en"}
    images = [a.image for a in articles if a.image]
    assert len(images) > 0.8 * len(articles)
    assert all(image["caption"] and image["credit"] for image in images)
    assert {"Associated Press", "Reuters", "AFP"} <= {image["credit"] for image in images}
    assert sum(1 for a in articles if a.video) >= 3
    assert sum(1 for a in articles if a.editors_pick) >= 3
    assert len({a.headline for a in articles}) == len(articles)


async def test_demo_has_the_li_shangfu_story(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    await demo.seed(session, NOW)

    listing = await client.get("/v1/articles", params={"topic": "china-russia-relations"})
    assert listing.status_code == 200
    found = [a for a in listing.json()["items"] if a["headline"] == LI_SHANGFU]
    assert len(found) == 1
    article = (await client.get(f"/v1/articles/{found[0]['id']}")).json()
    assert article["topics"][0] == {
        "slug": "china-russia-relations",
        "name": "China-Russia relations",
    }
    assert article["section"] == "China"
    assert article["credits"] == ["Associated Press"]
    assert article["image"]["credit"] == "Associated Press"
    assert "Li Shangfu" in article["image"]["caption"]
    first, second = article["summary"]
    assert "Putin" in first
    assert "high-profile welcome" in first
    assert "unaffected by the war in Ukraine" in second
    assert 100 <= article["comment_count"] <= 5000
    assert len(article["body"].split()) > 200


async def test_seeding_again_creates_and_changes_nothing(session: AsyncSession) -> None:
    await demo.seed(session, NOW)
    before = [(a.external_id, a.published_at, a.content_hash) for a in await demo_articles(session)]
    topics = await session.scalar(select(func.count()).select_from(Topic))

    # Days later: the dates stay where the first run put them.
    lines = await demo.seed(session, NOW + timedelta(days=3, hours=7))

    assert f"  this run: 0 created, 0 updated, {len(before)} unchanged, 0 errors" in lines
    after = [(a.external_id, a.published_at, a.content_hash) for a in await demo_articles(session)]
    assert after == before
    assert await session.scalar(select(func.count()).select_from(Topic)) == topics
