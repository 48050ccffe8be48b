"""Topic feeds rendered as RSS 2.0 (with Media RSS and Dublin Core), Atom 1.0 and JSON Feed 1.1.

XML is built as an element tree and serialised by lxml, so any text (a headline with ``<``,
``&`` or quotes) comes out escaped, never as markup. lxml serialises in C: a 50-item feed
takes a fraction of a millisecond, where the standard library's serialiser took several.
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from lxml import etree

from app.articles.schemas import ArticleSummary

MEDIA = "http://search.yahoo.com/mrss/"
DC = "http://purl.org/dc/elements/1.1/"
ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "myNEWS API"

RSS_NAMESPACES = {"media": MEDIA, "dc": DC, "atom": ATOM}


@dataclass(frozen=True)
class FeedMeta:
    slug: str
    name: str
    description: str | None
    updated_at: datetime
    self_url: str  # this feed, absolute
    topic_url: str  # the topic, absolute


def article_guid(article_id: str) -> str:
    """A stable id for an article in every feed format, whatever its URL becomes."""
    return f"urn:mynews:article:{article_id}"


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# Characters XML 1.0 cannot carry at all; stored text should not hold them, but a feed must
# stay well-formed whatever got in.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(parent: etree._Element, tag: str, text: str | None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: _NOT_XML.sub("", v) for k, v in attributes.items()})
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _xml(root: etree._Element) -> bytes:
    serialised: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return serialised


def _title(meta: FeedMeta) -> str:
    return f"myNEWS: {meta.name}"


def render_rss(meta: FeedMeta, articles: Sequence[ArticleSummary]) -> bytes:
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=RSS_NAMESPACES)
    channel = etree.SubElement(rss, "channel")
    _text(channel, "title", _title(meta))
    _text(channel, "link", meta.topic_url)
    _text(channel, "description", meta.description or f"The latest on {meta.name}.")
    _text(channel, "lastBuildDate", format_datetime(meta.updated_at, usegmt=True))
    _text(channel, "generator", GENERATOR)
    _text(
        channel, f"{{{ATOM}}}link", None, href=meta.self_url, rel="self", type="application/rss+xml"
    )
    for article in articles:
        item = etree.SubElement(channel, "item")
        _text(item, "title", article.headline)
        _text(item, "link", article.url)
        _text(item, "guid", article_guid(article.id), isPermaLink="false")
        if article.standfirst:
            _text(item, "description", article.standfirst)
        _text(item, "pubDate", format_datetime(article.published_at, usegmt=True))
        for author in article.authors:
            _text(item, f"{{{DC}}}creator", author.name)
        for topic in article.topics:
            _text(item, "category", topic.name)
        if article.image is not None:
            media = _text(item, f"{{{MEDIA}}}content", None, url=article.image.url, medium="image")
            if article.image.caption:
                _text(media, f"{{{MEDIA}}}description", article.image.caption)
            if article.image.credit:
                _text(media, f"{{{MEDIA}}}credit", article.image.credit)
    return _xml(rss)


def render_atom(meta: FeedMeta, articles: Sequence[ArticleSummary]) -> bytes:
    # Atom is the default namespace: its elements are written without a prefix.
    ns = f"{{{ATOM}}}"
    feed = etree.Element(ns + "feed", nsmap={None: ATOM})
    _text(feed, ns + "id", f"urn:mynews:topic:{meta.slug}")
    _text(feed, ns + "title", _title(meta))
    if meta.description:
        _text(feed, ns + "subtitle", meta.description)
    _text(feed, ns + "updated", _rfc3339(meta.updated_at))
    _text(feed, ns + "link", None, rel="self", href=meta.self_url, type="application/atom+xml")
    _text(feed, ns + "link", None, rel="alternate", href=meta.topic_url)
    _text(feed, ns + "generator", GENERATOR)
    # Atom needs an author for every entry; entries without one inherit the feed's.
    _text(etree.SubElement(feed, ns + "author"), ns + "name", "myNEWS")
    for article in articles:
        entry = etree.SubElement(feed, ns + "entry")
        _text(entry, ns + "id", article_guid(article.id))
        _text(entry, ns + "title", article.headline, type="text")
        _text(entry, ns + "link", None, rel="alternate", href=article.url)
        _text(entry, ns + "published", _rfc3339(article.published_at))
        _text(entry, ns + "updated", _rfc3339(article.updated_at))
        for author in article.authors:
            _text(etree.SubElement(entry, ns + "author"), ns + "name", author.name)
        for topic in article.topics:
            _text(entry, ns + "category", None, term=topic.slug, label=topic.name)
        if article.standfirst:
            _text(entry, ns + "summary", article.standfirst, type="text")
        if article.image is not None:
            _text(
                entry, ns + "link", None, rel="enclosure", href=article.image.url, type="image/jpeg"
            )
    return _xml(feed)


def render_json_feed(meta: FeedMeta, articles: Sequence[ArticleSummary]) -> bytes:
    items = []
    for article in articles:
        item: dict[str, object] = {
            "id": article_guid(article.id),
            "url": article.url,
            "title": article.headline,
            "content_text": "\n".join([article.standfirst or "", *article.summary]).strip()
            or article.headline,
            "date_published": _rfc3339(article.published_at),
            "date_modified": _rfc3339(article.updated_at),
            "tags": [topic.name for topic in article.topics],
        }
        if article.standfirst:
            item["summary"] = article.standfirst
        if article.authors:
            item["authors"] = [{"name": author.name} for author in article.authors]
        if article.image is not None:
            item["image"] = article.image.url
        if article.language:
            item["language"] = article.language
        items.append(item)
    feed = {
        "version": JSON_FEED_VERSION,
        "title": _title(meta),
        "home_page_url": meta.topic_url,
        "feed_url": meta.self_url,
        "description": meta.description or f"The latest on {meta.name}.",
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode()
