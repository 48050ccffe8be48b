"""The demo newsroom's articles: generated from the desks, the same on every run.

Everything depends on a fixed random seed and on one ``anchor`` time: article ``n`` is always
published the same number of minutes before it. The first run anchors the demo at its own
hour; later runs recover that anchor from the first article, so they change nothing.
"""

import random
from datetime import datetime, timedelta

from app.demo_stories import DESKS, SOLIDARITY, Desk, Feature, Story
from app.slugs import slugify

RANDOM_SEED = 20_261_127
SPAN = timedelta(days=14)
# An hour short of the span: the anchor is the start of an hour, up to an hour before "now".
SPAN_MINUTES = int(SPAN.total_seconds() // 60) - 60
FIRST_EXTERNAL_ID = "demo-0001"
# How long before the anchor the first article (the Li Shangfu story) was published.
FIRST_ARTICLE_AGE = timedelta(hours=5)
BASE_URL = "https://news.example"
IMAGE_CREDITS = ("Associated Press", "Reuters", "AFP", "Getty Images", "EPA", "Bloomberg")
WIRE_CREDITS = ("Associated Press", "Reuters", "AFP")


def first_anchor(now: datetime) -> datetime:
    """The anchor of a demo seeded now: the start of the current hour."""
    return now.replace(minute=0, second=0, microsecond=0)


def anchor_of(first_published_at: datetime) -> datetime:
    """The anchor of an existing demo, from its first article's publication time."""
    return first_published_at + FIRST_ARTICLE_AGE


def _external_id(number: int) -> str:
    return f"demo-{number:04d}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _url(section: str, headline: str, number: int) -> str:
    slug = slugify(headline)[:90].rstrip("-")
    return f"{BASE_URL}/{slugify(section)}/{slug}-{number:04d}"


def _image(number: int, caption: str, credit: str) -> dict[str, object]:
    return {
        "url": f"{BASE_URL}/media/images/{_external_id(number)}.jpg",
        "caption": caption,
        "credit": credit,
    }


def _video(number: int, title: str, seconds: int) -> dict[str, object]:
    url = f"{BASE_URL}/media/video/{_external_id(number)}.mp4"
    return {"url": url, "title": title, "duration_seconds": seconds}


def _body(rng: random.Random, desk: Desk, detail: str) -> str:
    """What follows the standfirst: the detail, voices, background, what happens next."""
    first, second = rng.sample(range(len(desk.voices)), 2)
    said = [f'"{desk.quotes[i]}," said {desk.voices[i]}.' for i in (first, second)]
    paragraphs = [detail, said[0], *rng.sample(desk.context, 2)]
    if rng.random() < 0.5:
        paragraphs.append(said[1])
    paragraphs.append(rng.choice(desk.outlook))
    return "\n\n".join(paragraphs)


def _story_article(
    rng: random.Random, number: int, desk: Desk, story: Story, fill: str, anchor: datetime
) -> dict[str, object]:
    def filled(text: str) -> str:
        return _capitalised(text.format(x=fill))

    headline = filled(story.headline)
    topics = [
        desk.topic,
        *([rng.choice(desk.related)] if desk.related and rng.random() < 0.4 else []),
    ]
    authors = rng.sample(desk.reporters, 2 if rng.random() < 0.2 else 1)
    article: dict[str, object] = {
        "external_id": _external_id(number),
        "url": _url(desk.section, headline, number),
        "headline": headline,
        "standfirst": filled(story.standfirst),
        "summary": [filled(bullet) for bullet in story.bullets],
        "body": _body(rng, desk, filled(story.detail)),
        "section": desk.section,
        "topics": topics,
        "authors": authors,
        "credits": [rng.choice(WIRE_CREDITS)] if rng.random() < 0.4 else [],
        "language": "en",
        "published_at": anchor - timedelta(minutes=rng.randrange(30, SPAN_MINUTES)),
        "comment_count": min(4_800, int(rng.lognormvariate(3.4, 1.3))),
        "editors_pick": rng.random() < 0.08,
    }
    if desk.region:
        article["region"] = desk.region
    if rng.random() < 0.92:
        article["image"] = _image(number, filled(story.caption), rng.choice(IMAGE_CREDITS))
    if rng.random() < 0.08:
        article["video"] = _video(number, headline, rng.randrange(40, 420))
    return article


def _feature_article(feature: Feature, anchor: datetime) -> dict[str, object]:
    return {
        "external_id": FIRST_EXTERNAL_ID,
        "url": _url(feature.section, feature.headline, 1),
        "headline": feature.headline,
        "standfirst": feature.standfirst,
        "summary": list(feature.summary),
        "body": "\n\n".join(feature.body),
        "section": feature.section,
        "topics": list(feature.topics),
        "authors": list(feature.authors),
        "credits": list(feature.credits),
        "image": _image(1, feature.image_caption, feature.image_credit),
        "video": _video(1, feature.video_title, 94),
        "language": "en",
        "region": feature.region,
        "published_at": anchor - FIRST_ARTICLE_AGE,
        "comment_count": feature.comment_count,
        "editors_pick": True,
    }


def demo_articles(anchor: datetime) -> list[dict[str, object]]:
    """Every demo article in the ``ArticleIn`` shape, published in the 14 days to ``anchor``."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 (repeatable demo data, not secrets)
    articles = [_feature_article(SOLIDARITY, anchor)]
    for desk in DESKS:
        for story in desk.stories:
            for fill in story.fills:
                number = len(articles) + 1
                articles.append(_story_article(rng, number, desk, story, fill, anchor))
    return articles
