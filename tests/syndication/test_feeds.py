"""Partner topic feeds: RSS, Atom, JSON Feed and the JSON list, as partners' parsers see them."""

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from app.articles import batch
from app.auth.dependencies import feed_reader_key
from app.auth.security import create_access_token
from app.clock import current_time
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.models import Article, Scope, Topic
from app.syndication.topics import FeedTopics
from app.topics import service as label_service
from tests import factories
from tests.routing import refuse_routing

TOPIC = "World news"
SLUG = "world-news"
# "list" is the paged JSON of article summaries; the others are syndication formats.
SUFFIXES = {"rss": ".rss", "atom": ".atom", "json": ".json", "list": ""}
ALL_FORMATS = tuple(SUFFIXES)
SYNDICATION_FORMATS = ("rss", "atom", "json")
MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
    "list": "application/json",
}
RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
RFC_822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|[+-]\d{4})$"
)
MARKUP_HEADLINE = 'Tom & Jerry\'s "café" <b>deal</b>: 5 < 6 — Zürich, São Paulo, 北京'


def feed_path(fmt: str, slug: str = SLUG) -> str:
    return f"/v1/topics/{slug}/feed{SUFFIXES[fmt]}"


def keyed(secret: str, **headers: str) -> dict[str, str]:
    return {"X-API-Key": secret, **headers}


@dataclass(frozen=True)
class Item:
    """One feed item, whatever the format: its id, article url, headline and date."""

    id: str
    url: str
    title: str
    published: datetime


def parse_xml(response: httpx.Response) -> Any:
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def rfc3339(text: str) -> datetime:
    assert RFC_3339.match(text), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rfc822(text: str) -> datetime:
    assert RFC_822.match(text), text
    return parsedate_to_datetime(text)


def items_of(fmt: str, response: httpx.Response) -> list[Item]:
    assert response.status_code == 200, response.text
    if fmt == "rss":
        return [
            Item(e.id, e.link, e.title, rfc822(e.published)) for e in parse_xml(response).entries
        ]
    if fmt == "atom":
        return [
            Item(e.id, e.link, e.title, rfc3339(e.published)) for e in parse_xml(response).entries
        ]
    body = response.json()
    if fmt == "json":
        return [
            Item(i["id"], i["url"], i["title"], rfc3339(i["date_published"])) for i in body["items"]
        ]
    return [
        Item(i["id"], i["url"], i["headline"], rfc3339(i["published_at"])) for i in body["items"]
    ]


def assert_absolute(url: object) -> None:
    assert isinstance(url, str)
    parts = urlsplit(url)
    assert parts.scheme in {"http", "https"}, url
    assert parts.netloc, url


def assert_json_feed_1_1(feed: dict[str, Any]) -> None:
    """The JSON Feed 1.1 rules a reader relies on (https://jsonfeed.org/version/1.1)."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str)
    assert feed["title"]
    assert_absolute(feed["home_page_url"])
    assert_absolute(feed["feed_url"])
    assert isinstance(feed["items"], list)
    for item in feed["items"]:
        assert isinstance(item["id"], str)
        assert item["id"]
        assert isinstance(item.get("content_html"), str) or isinstance(
            item.get("content_text"), str
        )
        for field in ("date_published", "date_modified"):
            if field in item:
                rfc3339(item[field])
        for field in ("url", "image"):
            if field in item:
                assert_absolute(item[field])
        for author in item.get("authors", []):
            assert isinstance(author, dict)
            assert {"name", "url", "avatar"} & set(author)
        assert all(isinstance(tag, str) for tag in item.get("tags", []))


async def stored(session: AsyncSession, article_id: str) -> Article:
    statement = (
        select(Article).where(Article.id == article_id).execution_options(populate_existing=True)
    )
    article = await session.scalar(statement)
    assert article is not None
    return article


@pytest.fixture
async def feed_key(session: AsyncSession) -> str:
    _, secret = await factories.create_api_key(session)
    return secret


async def fetch(
    client: httpx.AsyncClient, fmt: str, secret: str, slug: str = SLUG, **headers: str
) -> httpx.Response:
    return await client.get(feed_path(fmt, slug), headers=keyed(secret, **headers))


async def two_filed_articles(session: AsyncSession) -> tuple[str, str, str]:
    """(newest, older, no image) in TOPIC, with distinct authors, topics, images and dates."""
    newest = await factories.create_article(
        session,
        topics=[TOPIC, "Diplomacy"],
        authors=["Jane Reporter", "Li Wei"],
        image={
            "url": "https://news.example/img/summit.jpg",
            "caption": "Leaders at the summit",
            "credit": "Reuters/Ann Smith",
        },
        published_at="2026-11-21T09:15:27Z",
    )
    older = await factories.create_article(
        session,
        topics=["Economy", TOPIC],
        authors=["Sam Writer"],
        image={
            "url": "https://news.example/img/market.jpg",
            "caption": "Traders on the floor",
            "credit": "AP Photo/Bo Li",
        },
        published_at="2026-11-20T08:30:05Z",
    )
    plain = await factories.create_article(
        session, topics=[TOPIC], authors=[], image=None, published_at="2026-11-19T23:59:59Z"
    )
    return newest, older, plain


# --- Each format, read by a standard parser, says what is stored ---------------------------


async def test_rss_items_match_stored_articles(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str
) -> None:
    ids = await two_filed_articles(session)
    response = await fetch(client, "rss", feed_key)
    parsed = parse_xml(response)
    assert parsed.version == "rss20"
    assert parsed.feed.title
    assert_absolute(parsed.feed.link)
    assert len(parsed.entries) == len(ids)
    for entry, article_id in zip(parsed.entries, ids, strict=True):
        article = await stored(session, article_id)
        assert entry.title == article.headline
        assert entry.link == article.url
        assert entry.id  # the guid
        assert [a["name"] for a in entry.get("authors", [])] == article.author_names
        assert [t["term"] for t in entry.tags] == article.topic_names
        assert rfc822(entry.published) == article.published_at
        if article.image is None:
            assert "media_content" not in entry
            continue
        assert [m["url"] for m in entry.media_content] == [article.image["url"]]
        assert entry.media_content[0]["medium"] == "image"
        assert [c["content"] for c in entry.media_credit] == [article.image["credit"]]
        # feedparser reports media:description (the caption) as the entry's content.
        assert [c["value"] for c in entry.content] == [article.image["caption"]]


async def test_atom_entries_match_stored_articles(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str
) -> None:
    ids = await two_filed_articles(session)
    response = await fetch(client, "atom", feed_key)
    parsed = parse_xml(response)
    assert parsed.version == "atom10"
    assert parsed.feed.title
    rfc3339(parsed.feed.updated)
    assert {link["rel"] for link in parsed.feed.links} >= {"self", "alternate"}
    for link in parsed.feed.links:
        assert_absolute(link["href"])
    assert len(parsed.entries) == len(ids)
    for entry, article_id in zip(parsed.entries, ids, strict=True):
        article = await stored(session, article_id)
        assert entry.title == article.headline
        assert entry.link == article.url
        assert entry.id
        assert [a["name"] for a in entry.get("authors", [])] == article.author_names
        assert [t["label"] for t in entry.tags] == article.topic_names
        assert rfc3339(entry.published) == article.published_at
        assert rfc3339(entry.updated) == article.updated_at
        enclosures = [link["href"] for link in entry.links if link["rel"] == "enclosure"]
        assert enclosures == ([article.image["url"]] if article.image else [])


async def test_json_feed_follows_the_1_1_spec_and_matches_stored_articles(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str
) -> None:
    ids = await two_filed_articles(session)
    response = await fetch(client, "json", feed_key)
    assert response.status_code == 200
    feed = response.json()
    assert_json_feed_1_1(feed)
    assert len(feed["items"]) == len(ids)
    for item, article_id in zip(feed["items"], ids, strict=True):
        article = await stored(session, article_id)
        assert item["title"] == article.headline
        assert item["url"] == article.url
        assert [a["name"] for a in item.get("authors", [])] == article.author_names
        assert item["tags"] == article.topic_names
        assert item.get("image") == (article.image["url"] if article.image else None)
        assert rfc3339(item["date_published"]) == article.published_at


async def test_json_list_feed_is_the_summary_form(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str
) -> None:
    ids = await two_filed_articles(session)
    response = await fetch(client, "list", feed_key)
    assert response.status_code == 200
    page = response.json()
    assert [item["id"] for item in page["items"]] == list(ids)
    assert page["next_cursor"] is None
    first = page["items"][0]
    assert "body" not in first
    assert first["topics"][0] == {"slug": SLUG, "name": TOPIC}
    assert first["image"] == {
        "url": "https://news.example/img/summit.jpg",
        "caption": "Leaders at the summit",
        "credit": "Reuters/Ann Smith",
    }


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_headline_with_markup_characters_round_trips(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str, fmt: str
) -> None:
    await factories.create_article(session, topics=[TOPIC], headline=MARKUP_HEADLINE)
    [item] = items_of(fmt, await fetch(client, fmt, feed_key))
    assert item.title == MARKUP_HEADLINE


async def test_headline_with_a_control_character_keeps_the_rss_feed_well_formed(
    client: httpx.AsyncClient, editor: factories.Account, feed_key: str
) -> None:
    # Word's manual line break (U+000B) is legal JSON but may not appear in XML 1.0.
    payload = factories.article_payload(topics=[TOPIC], headline="Markets rally\x0bthen slip")
    created = await client.post("/v1/articles", headers=editor.headers, json=payload)
    # Refusing such a headline would be fine; storing it must not break every partner's feed.
    assert created.status_code in {201, 422}
    if created.status_code == 201:
        response = await fetch(client, "rss", feed_key)
        assert response.status_code == 200
        parse_xml(response)  # bozo == 0


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_content_type(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str, fmt: str
) -> None:
    await factories.create_article(session, topics=[TOPIC])
    response = await fetch(client, fmt, feed_key)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0].strip() == MEDIA_TYPES[fmt]


@pytest.mark.parametrize("fmt", SYNDICATION_FORMATS)
async def test_links_are_absolute_and_ids_stay_the_same_when_the_feed_changes(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, feed_key: str, fmt: str
) -> None:
    await factories.create_article(session, topics=[TOPIC], published_at="2026-11-19T10:00:00Z")
    await factories.create_article(session, topics=[TOPIC], published_at="2026-11-19T11:00:00Z")
    before = items_of(fmt, await fetch(client, fmt, feed_key))
    # A new article makes the feed render again: the old items keep their ids.
    await factories.create_article(session, topics=[TOPIC], published_at="2026-11-19T12:00:00Z")
    app.state.feed_topics.forget()  # written elsewhere: the worker reads the topic again
    response = await fetch(client, fmt, feed_key)
    after = items_of(fmt, response)
    assert after[1:] == before
    assert len({item.id for item in after}) == len(after)
    for item in after:
        assert_absolute(item.url)
    if fmt == "json":
        links = [response.json()["feed_url"], response.json()["home_page_url"]]
    else:
        parsed = parse_xml(response)
        links = [parsed.feed.link, *(link["href"] for link in parsed.feed.links)]
    for link in links:
        assert_absolute(link)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_newest_first_50_by_default_and_at_most_100(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str, fmt: str
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    dates = [start + timedelta(minutes=n) for n in range(105)]
    # Filed in a shuffled order, so only the dates can put them newest first.
    shuffled = [dates[(n * 37) % 105] for n in range(105)]
    payloads = [
        factories.article_payload(topics=[TOPIC], published_at=moment.isoformat())
        for moment in shuffled
    ]
    results = await batch.upsert_articles(session, payloads, datetime.now(UTC))
    assert {result.status for result in results} == {"created"}
    newest_first = sorted(dates, reverse=True)

    default = items_of(fmt, await fetch(client, fmt, feed_key))
    assert [item.published for item in default] == newest_first[:50]

    # Any size above 100 means 100, however many digits it has.
    for limit in ("500", "1000001", "99999999999999999999", "9" * 5000):
        response = await client.get(
            feed_path(fmt), params={"limit": limit}, headers=keyed(feed_key)
        )
        assert [item.published for item in items_of(fmt, response)] == newest_first[:100]


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_sizes_below_1_and_non_numbers_are_422(
    client: httpx.AsyncClient, filed: str, feed_key: str, fmt: str
) -> None:
    for limit in ("0", "-1", "-99999999999999999999", "ten"):
        response = await client.get(
            feed_path(fmt), params={"limit": limit}, headers=keyed(feed_key)
        )
        assert response.status_code == 422, limit


async def test_list_feed_pages_through_the_whole_topic_once(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str
) -> None:
    payloads = [factories.article_payload(topics=[TOPIC]) for _ in range(105)]
    await batch.upsert_articles(session, payloads, datetime.now(UTC))
    seen: list[str] = []
    cursor: str | None = None
    for expected in (50, 50, 5):
        params = {"cursor": cursor} if cursor else {}
        response = await client.get(feed_path("list"), params=params, headers=keyed(feed_key))
        page = response.json()
        assert len(page["items"]) == expected
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert cursor is None
    assert len(set(seen)) == 105


async def test_list_feed_cursors_are_the_keys_own(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str
) -> None:
    payloads = [factories.article_payload(topics=[TOPIC]) for _ in range(55)]
    await batch.upsert_articles(session, payloads, datetime.now(UTC))
    _, other_key = await factories.create_api_key(session, name="Other partner")
    first = await client.get(feed_path("list"), headers=keyed(feed_key))
    other = await client.get(feed_path("list"), headers=keyed(other_key))
    assert first.json()["items"] == other.json()["items"]
    # Each key's page carries its own cursor, so each has its own validator.
    assert first.json()["next_cursor"] != other.json()["next_cursor"]
    assert first.headers["etag"] != other.headers["etag"]
    assert "x-api-key" in first.headers["vary"].lower()
    cursor = {"cursor": first.json()["next_cursor"]}
    for secret, status in ((feed_key, 200), (other_key, 400)):
        response = await client.get(feed_path("list"), params=cursor, headers=keyed(secret))
        assert response.status_code == status
    # The key given as ?key= is the same caller.
    by_query = await client.get(feed_path("list"), params={**cursor, "key": feed_key})
    assert by_query.status_code == 200


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_retracted_article_leaves_the_feed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    editor: factories.Account,
    feed_key: str,
    fmt: str,
) -> None:
    kept = await stored(session, await factories.create_article(session, topics=[TOPIC]))
    retracted = await stored(session, await factories.create_article(session, topics=[TOPIC]))
    before = items_of(fmt, await fetch(client, fmt, feed_key))
    assert {item.url for item in before} == {kept.url, retracted.url}

    deleted = await client.delete(f"/v1/articles/{retracted.id}", headers=editor.headers)
    assert deleted.status_code == 204
    after = items_of(fmt, await fetch(client, fmt, feed_key))
    assert [item.url for item in after] == [kept.url]


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_unknown_topic_is_404(client: httpx.AsyncClient, feed_key: str, fmt: str) -> None:
    response = await fetch(client, fmt, feed_key, slug="no-such-topic")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


# --- Who may read feeds ---------------------------------------------------------------------


@pytest.fixture
async def filed(session: AsyncSession) -> str:
    return await factories.create_article(session, topics=[TOPIC])


async def test_missing_invalid_and_bearer_only_credentials_are_401(
    client: httpx.AsyncClient, filed: str, reader: factories.Account
) -> None:
    attempts: list[dict[str, str]] = [
        {},
        {"X-API-Key": "mnk_not-a-real-key"},
        reader.headers,  # a valid user token is not a partner key
    ]
    for fmt in ALL_FORMATS:
        for headers in attempts:
            response = await client.get(feed_path(fmt), headers=headers)
            assert response.status_code == 401, (fmt, headers)
            assert response.headers["www-authenticate"]
            assert response.headers["content-type"] == "application/problem+json"
            assert "mnk_not-a-real-key" not in response.text
        response = await client.get(feed_path(fmt), params={"key": "mnk_not-a-real-key"})
        assert response.status_code == 401
        assert "mnk_not-a-real-key" not in response.text


async def test_a_stale_token_beside_a_valid_key_is_401_however_the_poll_is_answered(
    client: httpx.AsyncClient,
    settings: Settings,
    feed_key: str,
    filed: str,
    reader: factories.Account,
) -> None:
    expired = create_access_token(settings, reader.user.id, datetime.now(UTC) - timedelta(days=1))
    stale = {"Authorization": f"Bearer {expired}"}
    for fmt in ALL_FORMATS:
        # The first poll verifies the key, so the second may be answered before routing.
        assert (await fetch(client, fmt, feed_key)).status_code == 200
        response = await fetch(client, fmt, feed_key, **stale)
        assert response.status_code == 401, fmt
        assert "invalid_token" in response.headers["www-authenticate"]


async def test_revoked_key_is_401(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: factories.Account,
    filed: str,
) -> None:
    api_key, secret = await factories.create_api_key(session)
    assert (await fetch(client, "rss", secret)).status_code == 200
    revoked = await client.delete(f"/v1/admin/api-keys/{api_key.id}", headers=admin.headers)
    assert revoked.status_code == 204
    for fmt in ALL_FORMATS:
        response = await fetch(client, fmt, secret)
        assert response.status_code == 401, fmt
        assert response.headers["www-authenticate"]
        by_query = await client.get(feed_path(fmt), params={"key": secret})
        assert by_query.status_code == 401, fmt


async def test_key_without_feeds_read_is_403(
    client: httpx.AsyncClient, session: AsyncSession, filed: str
) -> None:
    _, secret = await factories.create_api_key(session, scopes=(Scope.ARTICLES_WRITE,))
    for fmt in ALL_FORMATS:
        response = await fetch(client, fmt, secret)
        assert response.status_code == 403, fmt
        assert response.headers["content-type"] == "application/problem+json"
        by_query = await client.get(feed_path(fmt), params={"key": secret})
        assert by_query.status_code == 403, fmt


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_key_in_query_parameter_works(
    client: httpx.AsyncClient, feed_key: str, filed: str, fmt: str
) -> None:
    response = await client.get(feed_path(fmt), params={"key": feed_key})
    assert len(items_of(fmt, response)) == 1


# --- Conditional GET and caching ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_conditional_get(
    app: FastAPI, client: httpx.AsyncClient, feed_key: str, filed: str, fmt: str
) -> None:
    # Served some seconds after the change: its date is one a client can revalidate with.
    later = datetime.now(UTC) + timedelta(seconds=3)
    app.dependency_overrides[current_time] = lambda: later
    first = await fetch(client, fmt, feed_key)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert not etag.startswith("W/")
    assert re.fullmatch(r'"[^"]+"', etag)
    last_modified = first.headers["last-modified"]
    assert parsedate_to_datetime(last_modified).tzinfo is not None
    assert first.headers["cache-control"] == "public, max-age=60"
    vary = {part.strip().lower() for part in first.headers["vary"].split(",")}
    assert "accept-encoding" in vary

    for validator in ({"If-None-Match": etag}, {"If-Modified-Since": last_modified}):
        response = await fetch(client, fmt, feed_key, **validator)
        assert response.status_code == 304, validator
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == "public, max-age=60"

    stale = await fetch(client, fmt, feed_key, **{"If-None-Match": '"some-older-version"'})
    assert stale.status_code == 200
    assert stale.content == first.content
    assert stale.headers["etag"] == etag


async def change_feed_at(session: AsyncSession, topic_id: int, moment: datetime) -> None:
    """A new version of the topic's feed, dated ``moment``."""
    await session.execute(
        update(Topic)
        .where(Topic.id == topic_id)
        .values(feed_version=Topic.feed_version + 1, feed_updated_at=moment)
    )


async def test_a_change_in_the_second_of_a_copy_is_not_missed_by_date(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, feed_key: str, filed: str
) -> None:
    """HTTP dates name whole seconds: a copy made in the second of a change (or before it
    commits) must not validate a later change made in that same second."""
    topic = (await session.execute(select(Topic).where(Topic.slug == SLUG))).scalar_one()
    second = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)

    async def change_at(moment: datetime) -> None:
        await change_feed_at(session, topic.id, moment)
        app.state.feed_topics.forget()

    async def poll_at(moment: datetime, **headers: str) -> httpx.Response:
        app.dependency_overrides[current_time] = lambda: moment
        return await fetch(client, "rss", feed_key, **headers)

    await change_at(second + timedelta(milliseconds=100))
    copies = [
        await poll_at(second + timedelta(milliseconds=200)),  # in the second of the change
        await poll_at(second + timedelta(milliseconds=1_050)),  # before it may have committed
    ]
    await change_at(second + timedelta(milliseconds=900))  # the same second, later
    for copy in copies:
        since = copy.headers["last-modified"]
        assert parsedate_to_datetime(since) < second + timedelta(seconds=1)
        again = await poll_at(second + timedelta(seconds=5), **{"If-Modified-Since": since})
        assert again.status_code == 200, since
        assert again.content != copy.content or again.headers["etag"] != copy.headers["etag"]
    # Made well after the change, a copy's date revalidates it, until the next change.
    settled = await poll_at(second + timedelta(seconds=5))
    since = settled.headers["last-modified"]
    assert parsedate_to_datetime(since) == second + timedelta(seconds=1)
    assert (
        await poll_at(second + timedelta(seconds=6), **{"If-Modified-Since": since})
    ).status_code == 304
    await change_at(second + timedelta(seconds=6))
    assert (
        await poll_at(second + timedelta(seconds=9), **{"If-Modified-Since": since})
    ).status_code == 200


async def test_a_copy_made_from_a_stale_view_of_the_topic_is_dated_by_that_view(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, feed_key: str, filed: str
) -> None:
    """A worker serves a topic's version as it read it, up to some seconds before: a change
    made meanwhile (through another worker) must not be validated by the copy's date."""
    ticks = [1_000.0]  # this worker's monotonic clock
    app.state.feed_topics = FeedTopics(5.0, clock=lambda: ticks[0])
    topic = (await session.execute(select(Topic).where(Topic.slug == SLUG))).scalar_one()
    second = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)

    async def poll_after(seconds: float, **headers: str) -> httpx.Response:
        ticks[0] = 1_000.0 + seconds
        app.dependency_overrides[current_time] = lambda: second + timedelta(seconds=seconds)
        return await fetch(client, "rss", feed_key, **headers)

    await change_feed_at(session, topic.id, second + timedelta(milliseconds=100))
    assert (await poll_after(0.2)).status_code == 200  # this worker reads the topic
    # Changed through another worker: not seen here yet.
    await change_feed_at(session, topic.id, second + timedelta(milliseconds=900))
    stale = await poll_after(3.2)
    assert parsedate_to_datetime(stale.headers["last-modified"]) < second + timedelta(seconds=1)
    since = {"If-Modified-Since": stale.headers["last-modified"]}
    fresh = await poll_after(13.2, **since)  # the topic read again
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != stale.headers["etag"]


async def test_a_feed_change_is_dated_when_it_is_written_not_when_it_waited(
    engine: AsyncEngine,
) -> None:
    """A writer that queues behind another writer of the topic dates the change after the
    wait, so a later version is never dated before the one it follows."""
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        topic = Topic(slug="queued-for", name="Queued for")
        session.add(topic)
    try:
        async with sessionmaker() as holder:
            # Holds the topic's row (on SQLite, the database's write lock) for a while.
            await holder.execute(
                update(Topic).where(Topic.id == topic.id).values(description="held")
            )
            began = datetime.now(UTC)

            async def touch() -> None:
                async with sessionmaker() as writer, writer.begin():
                    # A write's earlier statements first (SQLite's writers queue here).
                    await writer.execute(select(Topic.name).where(Topic.id == topic.id))
                    await label_service.touch_topic_feeds(writer, {topic.id})

            waiting = asyncio.create_task(touch())
            await asyncio.sleep(1.5)
            await holder.commit()
            await waiting
        async with sessionmaker() as session:
            dated = await session.scalar(select(Topic.feed_updated_at).where(Topic.id == topic.id))
        assert dated is not None
        assert dated >= began + timedelta(seconds=1.4)
    finally:
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(Topic).where(Topic.id == topic.id))


@pytest.mark.parametrize("fmt", ALL_FORMATS)
async def test_etag_follows_the_topics_articles_only(
    client: httpx.AsyncClient,
    session: AsyncSession,
    editor: factories.Account,
    feed_key: str,
    fmt: str,
) -> None:
    first_id = await factories.create_article(session, topics=[TOPIC])
    elsewhere_id = await factories.create_article(session, topics=["Sport"])

    async def current() -> httpx.Response:
        response = await fetch(client, fmt, feed_key)
        assert response.status_code == 200
        return response

    etags = [(await current()).headers["etag"]]

    published = await client.post(
        "/v1/articles",
        headers=editor.headers,
        json=factories.article_payload(topics=[TOPIC], headline="A new story in the topic"),
    )
    assert published.status_code == 201
    response = await current()
    etags.append(response.headers["etag"])
    assert "A new story in the topic" in response.text

    edited = await client.patch(
        f"/v1/articles/{first_id}", headers=editor.headers, json={"headline": "Edited headline"}
    )
    assert edited.status_code == 200
    response = await current()
    etags.append(response.headers["etag"])
    assert "Edited headline" in response.text

    retracted = await client.delete(f"/v1/articles/{first_id}", headers=editor.headers)
    assert retracted.status_code == 204
    response = await current()
    etags.append(response.headers["etag"])
    assert "Edited headline" not in response.text
    assert len(set(etags)) == 4, etags

    # The previous version's ETag no longer matches.
    assert (await fetch(client, fmt, feed_key, **{"If-None-Match": etags[-2]})).status_code == 200

    # Nothing that happens in another topic changes this feed.
    other = await client.post(
        "/v1/articles", headers=editor.headers, json=factories.article_payload(topics=["Sport"])
    )
    assert other.status_code == 201
    edited_elsewhere = await client.patch(
        f"/v1/articles/{elsewhere_id}", headers=editor.headers, json={"headline": "Sport news"}
    )
    assert edited_elsewhere.status_code == 200
    unchanged = await fetch(client, fmt, feed_key, **{"If-None-Match": etags[-1]})
    assert unchanged.status_code == 304
    assert unchanged.headers["etag"] == etags[-1]


async def test_article_moved_to_another_topic_leaves_the_feed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    editor: factories.Account,
    feed_key: str,
) -> None:
    moved = await stored(session, await factories.create_article(session, topics=[TOPIC]))
    before = await fetch(client, "rss", feed_key)
    assert [item.url for item in items_of("rss", before)] == [moved.url]
    edited = await client.patch(
        f"/v1/articles/{moved.id}", headers=editor.headers, json={"topics": ["Sport"]}
    )
    assert edited.status_code == 200
    after = await fetch(client, "rss", feed_key)
    assert after.headers["etag"] != before.headers["etag"]
    assert items_of("rss", after) == []
    sport = await fetch(client, "rss", feed_key, slug="sport")
    assert [item.url for item in items_of("rss", sport)] == [moved.url]


def topic_reads(executed: list[str]) -> int:
    """Statements that read topics' feed versions."""
    return sum(1 for s in executed if s.startswith("SELECT") and "topics.feed_version" in s)


async def test_each_worker_reads_a_topic_feed_version_once_per_interval(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    editor: factories.Account,
    settings: Settings,
    executed: list[str],
    feed_key: str,
    filed: str,
) -> None:
    first = await fetch(client, "rss", feed_key)
    etag = first.headers["etag"]
    executed.clear()
    for _ in range(3):
        polled = await fetch(client, "rss", feed_key, **{"If-None-Match": etag})
        assert polled.status_code == 304
    assert topic_reads(executed) == 0

    # Another worker or process files a story: this worker serves its copy until the
    # interval ends (the feed allows any cache 60 s), then the new version.
    await factories.create_article(session, topics=[TOPIC], headline="Filed elsewhere")
    assert (await fetch(client, "rss", feed_key, **{"If-None-Match": etag})).status_code == 304
    app.state.feed_topics.expire(time.monotonic() + settings.feed_topic_cache_seconds)
    later = await fetch(client, "rss", feed_key, **{"If-None-Match": etag})
    assert later.status_code == 200
    assert "Filed elsewhere" in later.text
    assert topic_reads(executed) == 1

    # A story filed through this worker is in its feed at once.
    published = await client.post(
        "/v1/articles",
        headers=editor.headers,
        json=factories.article_payload(topics=[TOPIC], headline="Filed here"),
    )
    assert published.status_code == 201
    now = await fetch(client, "rss", feed_key, **{"If-None-Match": later.headers["etag"]})
    assert now.status_code == 200
    assert "Filed here" in now.text


async def test_a_database_restored_from_a_backup_is_never_served_what_was_kept_before(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    feed_key: str,
) -> None:
    await factories.create_article(session, topics=[TOPIC], headline="Before the backup")
    topic = await session.scalar(select(Topic).where(Topic.slug == SLUG))
    assert topic is not None
    backup = (topic.feed_version, topic.feed_updated_at)
    lost = await factories.create_article(session, topics=[TOPIC], headline="Lost in restore")
    articles_path = f"/v1/articles?topic={SLUG}"

    def read_topics_again() -> None:
        app.state.feed_topics.expire(time.monotonic() + settings.feed_topic_cache_seconds)

    read_topics_again()
    assert "Lost in restore" in (await fetch(client, "rss", feed_key)).text
    assert "Lost in restore" in (await client.get(articles_path)).text

    # The database is restored from the backup (the shared cache is not), then a story is
    # filed: the topic's feed version is the one the lost story had given it.
    await session.execute(delete(Article).where(Article.id == lost))
    await session.execute(
        update(Topic)
        .where(Topic.id == topic.id)
        .values(feed_version=backup[0], feed_updated_at=backup[1])
    )
    await session.commit()
    await factories.create_article(session, topics=[TOPIC], headline="After the restore")
    await session.refresh(topic)
    assert topic.feed_version == backup[0] + 1

    read_topics_again()
    feed = await fetch(client, "rss", feed_key)
    now_filed = {"After the restore", "Before the backup"}
    assert {item.title for item in items_of("rss", feed)} == now_filed
    listed = (await client.get(articles_path)).json()["items"]
    assert {item["headline"] for item in listed} == now_filed


async def test_a_worker_reads_the_topics_it_serves_again_in_one_statement(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    executed: list[str],
    feed_key: str,
) -> None:
    names = ["Energy", "Sport", "Science", "Culture"]
    for name in names:
        await factories.create_article(session, topics=[name])
    slugs = [name.lower() for name in names]
    etags = {
        slug: (await fetch(client, "rss", feed_key, slug=slug)).headers["etag"] for slug in slugs
    }

    # Elsewhere: a story is filed in one topic and another topic is renamed.
    await factories.create_article(session, topics=["Energy"], headline="Filed elsewhere")
    await session.execute(update(Topic).where(Topic.slug == "culture").values(slug="arts"))
    await session.commit()
    app.state.feed_topics.expire(time.monotonic() + settings.feed_topic_cache_seconds)
    executed.clear()
    polls = {
        slug: await fetch(client, "rss", feed_key, slug=slug, **{"If-None-Match": etags[slug]})
        for slug in slugs
    }

    assert topic_reads(executed) == 2, "every known topic at once, then the old slug alone"
    assert polls["energy"].status_code == 200
    assert "Filed elsewhere" in polls["energy"].text
    assert polls["sport"].status_code == polls["science"].status_code == 304
    assert polls["culture"].status_code == 404


async def test_topic_rename_changes_the_feed_and_its_etag(
    client: httpx.AsyncClient, editor: factories.Account, feed_key: str, filed: str
) -> None:
    before = await fetch(client, "rss", feed_key)
    assert parse_xml(before).feed.title.endswith(TOPIC)
    renamed = await client.patch(
        f"/v1/topics/{SLUG}", headers=editor.headers, json={"name": "World affairs"}
    )
    assert renamed.status_code == 200
    # A strong ETag names exact bytes: a new channel title needs a new ETag, or partners
    # holding the old one keep getting 304 for the old title.
    after = await fetch(client, "rss", feed_key)
    assert parse_xml(after).feed.title.endswith("World affairs")
    assert after.headers["etag"] != before.headers["etag"]


async def test_renaming_a_topic_renames_it_in_the_feeds_and_pages_of_topics_filed_alongside(
    client: httpx.AsyncClient, session: AsyncSession, editor: factories.Account, feed_key: str
) -> None:
    await factories.create_article(session, topics=[TOPIC, "Arctic"], headline="Ice and trade")
    await factories.create_article(session, topics=["Sport"], headline="Cup final")
    listings = {slug: f"/v1/articles?topic={slug}" for slug in (SLUG, "sport")}
    before = {slug: await fetch(client, "rss", feed_key, slug=slug) for slug in listings}
    assert "<category>Arctic</category>" in before[SLUG].text
    for listing in listings.values():
        assert (await client.get(listing)).status_code == 200  # kept for the next poll

    renamed = await client.patch(
        "/v1/topics/arctic", headers=editor.headers, json={"name": "The Arctic"}
    )
    assert renamed.status_code == 200

    after = await fetch(client, "rss", feed_key, slug=SLUG)
    assert "<category>The Arctic</category>" in after.text
    assert after.headers["etag"] != before[SLUG].headers["etag"]
    listed = (await client.get(listings[SLUG])).json()["items"]
    assert {"slug": "arctic", "name": "The Arctic"} in listed[0]["topics"]
    # A topic with nothing filed alongside keeps its feed, and partners keep their 304s.
    unrelated = await fetch(
        client, "rss", feed_key, slug="sport", **{"If-None-Match": before["sport"].headers["etag"]}
    )
    assert unrelated.status_code == 304


async def many_articles(session: AsyncSession, count: int = 6) -> None:
    for _ in range(count):
        await factories.create_article(session, topics=[TOPIC])


@pytest.mark.parametrize("fmt", ["rss", "json", "list"])
async def test_gzip_only_when_asked_for(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str, fmt: str
) -> None:
    await many_articles(session)
    zipped = await fetch(client, fmt, feed_key, **{"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert len(items_of(fmt, zipped)) == 6  # httpx has decoded it

    plain = await fetch(client, fmt, feed_key, **{"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert "content-encoding" not in plain.headers
    assert len(plain.content) > 1024
    assert plain.content == zipped.content


async def test_gzip_and_identity_bodies_do_not_share_a_strong_etag(
    client: httpx.AsyncClient, session: AsyncSession, feed_key: str
) -> None:
    """RFC 9110 8.8.3.3: a content-coded representation needs its own strong ETag, or a cache
    revalidating its gzip copy with the ETag serves gzip to clients that cannot read it."""
    await many_articles(session)
    plain = await fetch(client, "rss", feed_key, **{"Accept-Encoding": "identity"})
    zipped = await fetch(client, "rss", feed_key, **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content
    assert zipped.headers["etag"] != plain.headers["etag"]
    # Each copy still revalidates with its own ETag.
    for response, coding in ((plain, "identity"), (zipped, "gzip")):
        again = await fetch(
            client,
            "rss",
            feed_key,
            **{"Accept-Encoding": coding, "If-None-Match": response.headers["etag"]},
        )
        assert again.status_code == 304, coding


# --- Polls answered from memory, before routing ---------------------------------------------

# Differ between any two responses, wherever they are answered.
PER_RESPONSE_HEADERS = {"date", "ratelimit", "x-ratelimit-remaining", "x-ratelimit-reset"}


async def answered_count(client: httpx.AsyncClient, fmt: str, status: int) -> float:
    """The metrics' count of ``status`` answers from the feed route of ``fmt`` (all tests')."""
    series = f'mynews_http_requests_total{{method="GET",route="{feed_path(fmt, "{slug}")}"'
    for line in (await client.get("/metrics")).text.splitlines():
        if line.startswith(series) and f'status="{status}"}}' in line:
            return float(line.rpartition(" ")[2])
    return 0.0


def same_headers(one: httpx.Response, other: httpx.Response) -> bool:
    def kept(response: httpx.Response) -> dict[str, str]:
        return {k: v for k, v in response.headers.items() if k not in PER_RESPONSE_HEADERS}

    return kept(one) == kept(other)


@pytest.mark.parametrize("fmt", SYNDICATION_FORMATS)
@pytest.mark.parametrize("coding", ["gzip", "identity"])
async def test_a_poll_answered_from_memory_is_answered_as_the_route_answers_it(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, fmt: str, coding: str
) -> None:
    await many_articles(session)
    _, secret = await factories.create_api_key(session)
    later = datetime.now(UTC) + timedelta(seconds=3)
    app.dependency_overrides[current_time] = lambda: later  # dates a copy revalidates by
    first = await fetch(client, fmt, secret, **{"Accept-Encoding": coding})
    assert first.status_code == 200
    polls = (
        {"Accept-Encoding": coding},
        {"Accept-Encoding": coding, "If-None-Match": first.headers["etag"]},
        {"Accept-Encoding": coding, "If-Modified-Since": first.headers["last-modified"]},
    )
    # This worker has not verified the key lately: the routes answer, and verify it.
    routed = []
    for headers in polls:
        app.state.verified_keys.forget_all()
        routed.append(await fetch(client, fmt, secret, **headers))
    assert [r.status_code for r in routed] == [200, 304, 304]

    refuse_routing(app, (feed_reader_key,))
    counted = await answered_count(client, fmt, 200)
    for headers, as_routed in zip(polls, routed, strict=True):
        early = await fetch(client, fmt, secret, **headers)
        assert early.status_code == as_routed.status_code, early.text
        assert early.content == as_routed.content
        assert same_headers(early, as_routed)
        assert PER_RESPONSE_HEADERS - {"date"} <= set(early.headers)
    # Metrics count them under their route, as any other.
    assert await answered_count(client, fmt, 200) == counted + 1

    # By the query-string key and with the size given, too; sizes the route refuses, it answers.
    by_query = await client.get(feed_path(fmt), params={"key": secret, "limit": "50"})
    assert by_query.status_code == 200
    assert by_query.content == first.content
    for refused in ({"limit": "0"}, {"limit": "ten"}, {"limit": ["5", "6"]}):
        response = await client.get(feed_path(fmt), params={"key": secret, **refused})
        assert response.status_code in (403, 422), refused


async def test_what_a_worker_does_not_hold_in_memory_goes_to_the_routes(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: factories.Account,
    editor: factories.Account,
    filed: str,
) -> None:
    api_key, secret = await factories.create_api_key(session)
    first = await fetch(client, "rss", secret)
    etag = first.headers["etag"]
    assert (await fetch(client, "rss", secret, **{"If-None-Match": etag})).status_code == 304

    # A story filed through this worker: the old validator no longer matches.
    published = await client.post(
        "/v1/articles",
        headers=editor.headers,
        json=factories.article_payload(topics=[TOPIC], headline="Filed here"),
    )
    assert published.status_code == 201
    changed = await fetch(client, "rss", secret, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Filed here" in changed.text

    # A feed not made yet (another size), or an unknown topic: the routes answer.
    refuse_routing(app, (feed_reader_key,))
    assert (await fetch(client, "rss", secret)).status_code == 200
    assert (
        await client.get(feed_path("rss"), params={"key": secret, "limit": "7"})
    ).status_code == 403
    assert (await fetch(client, "rss", secret, "no-such-topic")).status_code == 403
    app.dependency_overrides.clear()

    # A revoked key is forgotten at once: its polls are 401.
    revoked = await client.delete(f"/v1/admin/api-keys/{api_key.id}", headers=admin.headers)
    assert revoked.status_code == 204
    fresh = {"If-None-Match": changed.headers["etag"]}
    assert (await fetch(client, "rss", secret, **fresh)).status_code == 401
    assert (await fetch(client, "rss", secret)).status_code == 401


# --- CORS -------------------------------------------------------------------------------------

ALLOWED_ORIGIN = "https://app.example"


@pytest.fixture
async def cors_client(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings.model_copy(update={"cors_origins": [ALLOWED_ORIGIN]}))
    app.state.database = Database(engine, sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_cors_preflight_echoes_only_the_allowed_origin(
    cors_client: httpx.AsyncClient, feed_key: str, filed: str
) -> None:
    preflight = {
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-API-Key",
    }
    allowed = await cors_client.options(
        feed_path("rss"), headers={"Origin": ALLOWED_ORIGIN, **preflight}
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN

    refused = await cors_client.options(
        feed_path("rss"), headers={"Origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in refused.headers

    for origin in (ALLOWED_ORIGIN, "https://evil.example"):
        response = await cors_client.get(feed_path("rss"), headers=keyed(feed_key, Origin=origin))
        assert response.status_code == 200
        assert response.headers.get("access-control-allow-origin") == (
            origin if origin == ALLOWED_ORIGIN else None
        )
        assert response.headers.get("access-control-allow-origin") != "*"


async def test_cors_lets_scripts_revalidate_and_read_their_rate_limits(
    cors_client: httpx.AsyncClient, feed_key: str, filed: str
) -> None:
    asked = ["Authorization", "X-API-Key", "If-None-Match", "If-Modified-Since"]
    preflight = await cors_client.options(
        feed_path("rss"),
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": ", ".join(asked),
        },
    )
    assert preflight.status_code == 200
    allowed = {
        h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")
    }
    assert {h.lower() for h in asked} <= allowed
    response = await cors_client.get(
        feed_path("rss"), headers=keyed(feed_key, Origin=ALLOWED_ORIGIN)
    )
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    rate_limits = {h for h in response.headers if h.startswith(("ratelimit", "x-ratelimit"))}
    assert len(rate_limits) == 5
    assert rate_limits | {"etag"} <= exposed
