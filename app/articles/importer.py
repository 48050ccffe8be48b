"""`mynews import-feed`: RSS and Atom entries become articles, safely and repeatably.

The document is read with a size cap and parsed by ``defusedxml``, which refuses a DOCTYPE that
declares entities (nothing is ever expanded). feedparser then reads a re-serialisation of that
safe tree, so it never sees a DTD at all. Entry ids become ``external_id``: importing the same
feed again leaves every article "unchanged". An id that only its own feed keeps unique (such
as ``1234``) is stored after the feed's own id or link, so that two feeds, or a feed and the
CMS, never take each other's articles for their own.
"""

import hashlib
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.articles import batch as article_batch
from app.articles.feed_details import (
    EntryDetails,
    Media,
    choose_media,
    details_from_element,
    details_from_entry,
    entry_elements,
    html_to_text,
    names_from_entry,
    remove_conflated_media,
    single_line,
    truncate,
)
from app.articles.feed_source import (
    MAX_FEED_BYTES,
    FeedError,
    is_http_url,
    read_source,
    safe_tree,
    too_big,
)
from app.articles.schemas import HttpUrl
from app.db import among
from app.models import Article
from app.slugs import MAX_SLUG_LENGTH, slugify

_url_adapter: TypeAdapter[str] = TypeAdapter(HttpUrl)

UPSERT_CHUNK = 500  # the batch endpoint's own limit
FALLBACK_TOPIC = "General"

# The article schema's limits.
MAX_HEADLINE = 300
MAX_STANDFIRST = 1000
MAX_BODY = 200_000
MAX_CAPTION = 1000
MAX_CREDIT = 200
MAX_VIDEO_TITLE = 300
MAX_NAME = 120
MAX_LABELS = 10
MAX_EXTERNAL_ID = 200
MAX_URL = 2048

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# Entry ids minted to be unique whatever feed carries them: an address (a permalink, an
# Atom IRI), a tag: URI (RFC 4151) or a URN (urn:uuid:...). Any other id ("1234",
# "wire-0001") is unique only within its feed.
_GLOBAL_ID = re.compile(r"^(https?://|tag:|urn:)", re.IGNORECASE)


@dataclass
class ParsedFeed:
    """A feed's usable entries as article dicts, and why the others were skipped."""

    title: str | None
    entries: int = 0
    items: list[dict[str, object]] = field(default_factory=list)
    # The feed's own 1-based entry number of each item, for reporting errors.
    entry_numbers: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # Items whose entry has no date (published "now"), by their index in ``items``.
    undated: list[int] = field(default_factory=list)
    # The bare entry id that imports before ids were scoped to their feed stored, by the
    # index in ``items`` of each item whose external_id is scoped.
    bare_ids: dict[int, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    """What an import did: counts by outcome, and one line per entry that failed."""

    title: str | None
    entries: int
    counts: Counter[str]
    errors: list[str]

    def lines(self) -> list[str]:
        """The summary `mynews import-feed` prints."""
        source = f" from {self.title!r}" if self.title else ""
        summary = (
            f"Imported {self.entries} entries{source}: {self.counts['created']} created, "
            f"{self.counts['updated']} updated, {self.counts['unchanged']} unchanged, "
            f"{len(self.errors)} errors"
        )
        return [summary, *(f"  {error}" for error in self.errors)]


# --- Parsing -----------------------------------------------------------------------------


def _date(value: struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)  # feedparser gives every date in UTC
    except (TypeError, ValueError, OverflowError):
        return None


def entry_dates(entry: Any) -> tuple[datetime | None, datetime | None]:
    """An entry's published and updated times, when it has them."""
    # dict.get: feedparser's own get() maps a missing "updated" to "published", and warns.
    return _date(dict.get(entry, "published_parsed")), _date(dict.get(entry, "updated_parsed"))


def _text(detail: Any, fallback: str) -> str:
    """A text construct as plain text: HTML flattened, plain text kept as it is."""
    if detail is None:
        return html_to_text(fallback)
    value = detail.get("value", fallback)
    return value if detail.get("type") == "text/plain" else html_to_text(value)


def clean_name(raw: str) -> str | None:
    """A topic or author name within the schema's limits (its slug too), or None."""
    name = truncate(single_line(raw), MAX_NAME, ellipsis="")
    while len(slugify(name)) > MAX_SLUG_LENGTH:
        name = name.rsplit(" ", 1)[0] if " " in name else name[:-1]
    return name if slugify(name) else None


def _unique_names(names: list[str]) -> list[str]:
    """Usable names, the first of each slug, at most as many as an article takes."""
    by_slug: dict[str, str] = {}
    for raw in names:
        name = clean_name(raw)
        if name is not None:
            by_slug.setdefault(slugify(name), name)
    return list(by_slug.values())[:MAX_LABELS]


def _topics(entry: Any, default_topic: str | None, feed_title: str) -> list[str]:
    terms = [tag.get("label") or tag.get("term") or "" for tag in entry.get("tags", [])]
    # Some feeds put a taxonomy URL in the term; that is no topic name.
    terms = [term for term in terms if not is_http_url(term.strip())]
    # The editor's --topic comes first: it is the primary topic of everything imported.
    topics = _unique_names([default_topic, *terms] if default_topic else terms)
    return topics or _unique_names([feed_title]) or [FALLBACK_TOPIC]


def _within_limit(external_id: str) -> str:
    if len(external_id) > MAX_EXTERNAL_ID:
        return "sha256:" + hashlib.sha256(external_id.encode()).hexdigest()
    return external_id


def feed_scope(feed: Any, base_url: str | None) -> str | None:
    """What names the feed itself: its Atom id, its channel link, or the address it was
    read from; None when a file names neither."""
    for value in (dict.get(feed, "id"), dict.get(feed, "link"), base_url):
        scope = single_line(value or "")
        if scope:
            return scope
    return None


def entry_ids(entry: Any, scope: str | None) -> tuple[str | None, str | None]:
    """The entry's ``external_id``, and the bare one earlier imports stored for it when the
    id is scoped to its feed (``"<feed> <id>"``): an id unique only within its feed."""
    guid = single_line(entry.get("id") or "")
    if not guid:
        return None, None
    bare = _within_limit(guid)
    if scope is None or _GLOBAL_ID.match(guid):
        return bare, None
    return _within_limit(f"{scope} {guid}"), bare


def _language(entry: Any, feed: Any) -> str | None:
    detail = entry.get("title_detail") or {}
    raw = (detail.get("language") or feed.get("language") or "").strip().replace("_", "-")
    primary, dash, rest = raw.partition("-")
    language = primary.lower() + dash + rest
    return language if _LANGUAGE.match(language) else None


def _image(media: Media | None, headline: str) -> dict[str, object] | None:
    if media is None:
        return None
    image: dict[str, object] = {
        "url": media.url,
        "caption": truncate(media.caption or media.title or headline, MAX_CAPTION),
    }
    if media.credit:
        image["credit"] = truncate(media.credit, MAX_CREDIT)
    return image


def _video(media: Media | None) -> dict[str, object] | None:
    if media is None:
        return None
    video: dict[str, object] = {"url": media.url}
    if media.title:
        video["title"] = truncate(media.title, MAX_VIDEO_TITLE)
    if media.duration is not None:
        video["duration_seconds"] = media.duration
    return video


def entry_to_article(
    entry: Any,
    details: EntryDetails,
    *,
    feed: Any,
    feed_authors: list[str],
    default_topic: str | None,
    now: datetime,
    external_id: str | None,
) -> dict[str, object] | str:
    """One entry as an article dict in the ``ArticleIn`` shape (under ``external_id``, from
    ``entry_ids``), or why it cannot be one."""
    title = single_line(_text(entry.get("title_detail"), entry.get("title", "")))
    if not title:
        return "skipped: it has no title"
    url = (entry.get("link") or "").strip()
    if not is_http_url(url) or len(url) > MAX_URL:
        return "skipped: it has no http(s) link"
    headline = truncate(title, MAX_HEADLINE)

    body = _text(entry.content[0], "") if entry.get("content") else ""
    standfirst = _text(entry.get("summary_detail"), entry.get("summary", ""))
    if standfirst and standfirst == body:
        # feedparser copies the content into a missing summary: take its first paragraph.
        standfirst = body.split("\n\n", 1)[0]

    published, updated = entry_dates(entry)
    image, video = choose_media(details.media)
    optional: dict[str, object | None] = {
        "external_id": external_id,
        "standfirst": truncate(single_line(standfirst), MAX_STANDFIRST) or None,
        "language": _language(entry, feed),
        "updated_at": updated if published and updated and updated > published else None,
        "image": _image(image, headline),
        "video": _video(video),
    }
    return {
        "url": url,
        "headline": headline,
        "topics": _topics(entry, default_topic, single_line(feed.get("title", ""))),
        "authors": _unique_names(details.names or feed_authors),
        "published_at": published or updated or now,
        "body": truncate(body, MAX_BODY),
        **{key: value for key, value in optional.items() if value is not None},
    }


def parse_feed(
    data: bytes, *, default_topic: str | None, now: datetime, base_url: str | None = None
) -> ParsedFeed:
    """An RSS or Atom document's entries as article dicts; nothing is written."""
    if len(data) > MAX_FEED_BYTES:
        raise too_big()
    if default_topic is not None and clean_name(default_topic) is None:
        raise FeedError("The topic must contain at least one letter or digit.")
    root = safe_tree(data)
    details: list[EntryDetails] = []
    if root is not None:
        details = [details_from_element(element) for element in entry_elements(root)]
        remove_conflated_media(root)
        data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    headers = {"content-location": base_url} if base_url else None
    # Bytes, never a str: feedparser fetches a string that looks like a URL or a path.
    document = feedparser.parse(data, response_headers=headers)
    if not document.get("version") and not document.entries:
        raise FeedError("The document is not an RSS or Atom feed.")
    if len(details) != len(document.entries):
        # Cannot pair them up safely: fall back on what feedparser found.
        details = [details_from_entry(entry) for entry in document.entries]

    feed = document.feed
    # An Atom entry without authors has its feed's (RFC 4287); an RSS channel's
    # managingEditor is a contact address, not a byline.
    atom = str(document.get("version", "")).startswith("atom")
    feed_authors = names_from_entry(feed) if atom else []
    scope = feed_scope(feed, base_url)
    parsed = ParsedFeed(single_line(feed.get("title", "")) or None, len(document.entries))
    for number, entry in enumerate(document.entries, start=1):
        external_id, bare = entry_ids(entry, scope)
        result = entry_to_article(
            entry,
            details[number - 1],
            feed=feed,
            feed_authors=feed_authors,
            default_topic=default_topic,
            now=now,
            external_id=external_id,
        )
        if isinstance(result, str):
            parsed.skipped.append(f"entry {number}: {result}")
            continue
        parsed.items.append(result)
        parsed.entry_numbers.append(number)
        if entry_dates(entry) == (None, None):
            parsed.undated.append(len(parsed.items) - 1)
        if bare is not None:
            parsed.bare_ids[len(parsed.items) - 1] = bare
    return parsed


# --- Importing ---------------------------------------------------------------------------


async def adopt_bare_imports(session: AsyncSession, parsed: ParsedFeed) -> None:
    """Articles that imports before ids were scoped to their feed stored under an entry's
    bare id take its scoped one, when they are at the entry's own url (the same article by
    both marks); one at another url is another feed's or the CMS's, and is left alone. The
    upsert then finds them as it finds any article, and updates them once."""
    if not parsed.bare_ids:
        return
    by_bare = {bare: parsed.items[index] for index, bare in parsed.bare_ids.items()}
    scoped = [item["external_id"] for item in by_bare.values()]
    rows = (
        await session.execute(
            select(Article.pk, Article.external_id, Article.url).where(
                among(session, Article.external_id, [*by_bare, *scoped])
            )
        )
    ).all()
    taken = {row.external_id for row in rows}
    for row in rows:
        item = by_bare.get(row.external_id)
        if item is None or item["external_id"] in taken or row.url != _stored_url(item["url"]):
            continue
        await session.execute(
            update(Article).where(Article.pk == row.pk).values(external_id=item["external_id"])
        )
        taken.add(item["external_id"])


def _stored_url(url: object) -> str | None:
    """The url as an article stores it (normalised), or None when it would be refused."""
    try:
        return _url_adapter.validate_python(url)
    except ValidationError:
        return None


async def keep_first_import_dates(session: AsyncSession, parsed: ParsedFeed) -> None:
    """Undated entries keep the date their first import gave them: a re-import changes nothing."""
    undated = [parsed.items[i] for i in parsed.undated]
    if not undated:
        return
    external_ids = [item["external_id"] for item in undated if "external_id" in item]
    urls = [item["url"] for item in undated if "external_id" not in item]
    rows = await session.execute(
        select(Article.external_id, Article.url, Article.published_at).where(
            or_(Article.external_id.in_(external_ids), Article.url.in_(urls))
        )
    )
    by_external_id: dict[object, datetime] = {}
    by_url: dict[object, datetime] = {}
    for row in rows:
        by_external_id[row.external_id] = by_url[row.url] = row.published_at
    for item in undated:
        # Matched as the upsert matches: by external_id, by url only when there is none.
        known = (
            by_external_id.get(item["external_id"])
            if "external_id" in item
            else by_url.get(item["url"])
        )
        if known is not None:
            item["published_at"] = known


async def import_parsed(session: AsyncSession, parsed: ParsedFeed, now: datetime) -> ImportReport:
    """Upsert a parsed feed's items (by external_id, else url)."""
    await adopt_bare_imports(session, parsed)
    await keep_first_import_dates(session, parsed)
    counts: Counter[str] = Counter()
    errors = list(parsed.skipped)
    for start in range(0, len(parsed.items), UPSERT_CHUNK):
        chunk = parsed.items[start : start + UPSERT_CHUNK]
        for result in await article_batch.upsert_articles(session, chunk, now):
            counts[result.status] += 1
            if result.status == "error":
                number = parsed.entry_numbers[start + result.index]
                errors.append(f"entry {number} ({chunk[result.index]['url']}): {result.error}")
    return ImportReport(parsed.title, parsed.entries, counts, errors)


async def import_feed(
    session: AsyncSession, source: str, *, default_topic: str | None, now: datetime
) -> ImportReport:
    """Read, check and import the feed at ``source``: a local path or an http(s) URL."""
    data, base_url = await read_source(source)
    parsed = parse_feed(data, default_topic=default_topic, now=now, base_url=base_url)
    return await import_parsed(session, parsed, now)
