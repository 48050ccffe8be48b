"""Entry details feedparser misreads or leaves out: media, bylines, and HTML as plain text.

feedparser files ``media:description`` and ``media:title`` under the entry's own summary and
title, and mangles RSS ``<author>`` addresses with long top-level domains, so these are read
from the (safely parsed) XML tree when there is one, and from feedparser's fields otherwise.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

MEDIA_NAMESPACES = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss")
ATOM = "{http://www.w3.org/2005/Atom}"
DUBLIN_CORE = "{http://purl.org/dc/elements/1.1/}"
# The elements feedparser reads as entries, in document order.
ENTRY_TAGS = frozenset(
    {
        "item",
        "{http://purl.org/rss/1.0/}item",
        "{http://my.netscape.com/rdf/simple/0.9/}item",
        f"{ATOM}entry",
        "{http://purl.org/atom/ns#}entry",
    }
)
# Read here, then removed before feedparser sees the document (it would misfile them);
# media keywords are search-engine tags, not topics.
CONFLATED_MEDIA_ELEMENTS = ("description", "title", "keywords")

_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
_VIDEO_EXTENSIONS = (".mp4", ".webm", ".mov", ".m4v", ".m3u8")
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"),
        *("figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol"),
        *("p", "pre", "section", "table", "tr", "ul"),
    }
)
_EMAIL_THEN_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^()]+)\)$")
_NAME_THEN_EMAIL = re.compile(r"^(?P<name>[^<>]+?)\s*<\S+@\S+>$")
_BYLINE = re.compile(r"^by\s+", re.IGNORECASE)


# --- Text --------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """HTML as plain text: tags gone, entities decoded, one blank line between paragraphs."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    text = "".join(extractor.parts).replace("\x00", "")
    paragraphs = (
        "\n".join(" ".join(line.split()) for line in block.split("\n")).strip()
        for block in re.split(r"\n\s*\n", text)
    )
    return "\n\n".join(p for p in paragraphs if p)


def single_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces, NUL bytes dropped."""
    return " ".join(text.replace("\x00", "").split())


def truncate(text: str, limit: int, *, ellipsis: str = "…") -> str:
    """At most ``limit`` characters, cut at a word boundary where one is near."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2013\u2014") + ellipsis


# --- The tree ----------------------------------------------------------------------------


def entry_elements(root: ET.Element) -> list[ET.Element]:
    """The elements feedparser turns into entries, in the same order."""
    return [element for element in root.iter() if element.tag in ENTRY_TAGS]


def _media_tag(name: str) -> tuple[str, ...]:
    return tuple(f"{{{namespace}}}{name}" for namespace in MEDIA_NAMESPACES)


def remove_conflated_media(root: ET.Element) -> None:
    """Drop the media elements feedparser would misfile (after they have been read)."""
    doomed = {tag for name in CONFLATED_MEDIA_ELEMENTS for tag in _media_tag(name)}
    for parent in root.iter():
        for child in [c for c in parent if c.tag in doomed]:
            parent.remove(child)


def _author_name(raw: str) -> str | None:
    text = single_line(raw)
    match = _EMAIL_THEN_NAME.match(text) or _NAME_THEN_EMAIL.match(text)
    if match:
        text = match["name"].strip()
    text = _BYLINE.sub("", text)
    # A bare address is not a byline, and publishing it would leak it.
    return text if text and "@" not in text else None


def names_from_element(entry: ET.Element) -> list[str]:
    """Bylines of an entry: RSS ``author``, Dublin Core ``creator``, Atom ``author/name``."""
    raw = [child.text or "" for child in entry if child.tag in ("author", f"{DUBLIN_CORE}creator")]
    raw += [name.text or "" for name in entry.findall(f"{ATOM}author/{ATOM}name")]
    return [name for name in map(_author_name, raw) if name]


def names_from_entry(entry: Any) -> list[str]:
    """Bylines as feedparser found them (when there is no tree to read)."""
    names = (_author_name(author.get("name") or "") for author in entry.get("authors", []))
    return [name for name in names if name and "(" not in name]


# --- Media -------------------------------------------------------------------------------


# How good a source of an entry's picture or video each element is, best first.
CONTENT, ENCLOSURE, THUMBNAIL = 0, 1, 2


@dataclass(frozen=True)
class Media:
    url: str
    kind: str  # "image", "video" or "other"
    rank: int = CONTENT
    caption: str | None = None
    credit: str | None = None
    title: str | None = None
    duration: int | None = None


def _kind(url: str, medium: str | None, mime: str | None) -> str:
    if medium in ("image", "video"):
        return medium
    if mime and mime.split("/")[0] in ("image", "video"):
        return mime.split("/")[0]
    path = urlsplit(url).path.lower()
    if path.endswith(_IMAGE_EXTENSIONS):
        return "image"
    if path.endswith(_VIDEO_EXTENSIONS):
        return "video"
    return "other"


def _usable_url(url: str | None) -> str | None:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc and len(url) <= 2048:
        return url
    return None


def _duration(value: str | None) -> int | None:
    if value and value.strip().isdigit() and int(value) <= 86_400:
        return int(value)
    return None


def _nearest_text(contexts: tuple[ET.Element, ...], name: str) -> str | None:
    """The first ``media:<name>`` text found going outwards: content, group, entry."""
    for context in contexts:
        for tag in _media_tag(name):
            found = context.find(tag)
            if found is not None and found.text and found.text.strip():
                text = found.text
                return single_line(html_to_text(text) if found.get("type") == "html" else text)
    return None


def _media(element: ET.Element, contexts: tuple[ET.Element, ...], rank: int) -> Media | None:
    url = _usable_url(element.get("url") or element.get("href"))
    if url is None:
        return None
    kind = "image" if rank == THUMBNAIL else _kind(url, element.get("medium"), element.get("type"))
    return Media(
        url=url,
        kind=kind,
        rank=rank,
        caption=_nearest_text(contexts, "description"),
        credit=_nearest_text(contexts, "credit"),
        title=_nearest_text(contexts, "title"),
        duration=_duration(element.get("duration")),
    )


def _media_within(parent: ET.Element, outer: tuple[ET.Element, ...]) -> list[Media]:
    found: list[Media] = []
    contexts = (parent, *outer)
    for child in parent:
        if child.tag in _media_tag("group"):
            found += _media_within(child, contexts)
        elif child.tag in _media_tag("content"):
            found += [m for m in [_media(child, (child, *contexts), CONTENT)] if m]
            found += _media_within(child, contexts)
        elif child.tag in _media_tag("thumbnail"):
            found += [m for m in [_media(child, contexts, THUMBNAIL)] if m]
        elif child.tag == "enclosure" or (
            child.tag == f"{ATOM}link" and child.get("rel") == "enclosure"
        ):
            found += [m for m in [_media(child, contexts, ENCLOSURE)] if m]
    return found


def media_from_entry(entry: Any) -> list[Media]:
    """Images and videos as feedparser found them (captions are lost there)."""
    credits = [c.get("content") for c in entry.get("media_credit", []) if c.get("content")]
    credit = single_line(credits[0]) if credits else None
    found: list[Media] = []
    for item in entry.get("media_content", []):
        url = _usable_url(item.get("url"))
        if url:
            kind = _kind(url, item.get("medium"), item.get("type"))
            found.append(Media(url, kind, credit=credit, duration=_duration(item.get("duration"))))
    for item in entry.get("media_thumbnail", []):
        url = _usable_url(item.get("url"))
        if url:
            found.append(Media(url, "image", THUMBNAIL, credit=credit))
    for link in entry.get("links", []):
        url = _usable_url(link.get("href"))
        if url and link.get("rel") == "enclosure":
            found.append(Media(url, _kind(url, None, link.get("type")), ENCLOSURE))
    return found


def choose_media(candidates: list[Media]) -> tuple[Media | None, Media | None]:
    """The entry's picture and its video: the best kind of source, then the first."""

    def best(kind: str) -> Media | None:
        return min((m for m in candidates if m.kind == kind), key=lambda m: m.rank, default=None)

    return best("image"), best("video")


@dataclass(frozen=True)
class EntryDetails:
    names: list[str]
    media: list[Media]


def details_from_element(entry: ET.Element) -> EntryDetails:
    """Bylines and media read from the entry's XML (before the tree is trimmed)."""
    return EntryDetails(names_from_element(entry), _media_within(entry, ()))


def details_from_entry(entry: Any) -> EntryDetails:
    """Bylines and media as feedparser found them, when there is no tree to read."""
    return EntryDetails(names_from_entry(entry), media_from_entry(entry))
