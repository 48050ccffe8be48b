"""A feed document's bytes, read within bounds, and its XML tree, parsed safely.

Local files and http(s) URLs are read up to 10 MiB; ``defusedxml`` refuses a DOCTYPE that
declares entities, so no entity (external or nested) is ever expanded.
"""

import asyncio
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
import httpx
from defusedxml import DefusedXmlException

from app.errors import AppError

MAX_FEED_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 15.0
# A server trickling bytes could keep every single read inside the timeout.
FETCH_DEADLINE_SECONDS = 60.0

# Looked for only in a document expat could not parse, which is then refused, not guessed at.
_ENTITY_DECLARATION = tuple(
    "<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")
)


class FeedError(AppError):
    status, code = 400, "invalid-feed"


def too_big() -> FeedError:
    """The error for a document over the size cap."""
    return FeedError(f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MiB; refused.")


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) URL."""
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def read_file(source: str) -> bytes:
    """A local feed file, refused when over the size cap."""
    path = Path(source)
    scheme = urlsplit(source).scheme
    # A single letter before the colon is a Windows drive, not a scheme.
    if len(scheme) > 1 and not path.exists():
        raise FeedError(f"Only local files and http(s) URLs can be imported, not {scheme}: URLs.")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FEED_BYTES + 1)
    except OSError as error:
        raise FeedError(f"Cannot read {str(path)!r}: {error.strerror or error}.") from None
    if len(data) > MAX_FEED_BYTES:
        raise too_big()
    return data


async def fetch(url: str, *, transport: httpx.AsyncBaseTransport | None = None) -> bytes:
    """A feed over http(s), bounded in time and in (decompressed) size."""
    try:
        async with (
            asyncio.timeout(FETCH_DEADLINE_SECONDS),
            httpx.AsyncClient(
                timeout=FETCH_TIMEOUT_SECONDS,
                follow_redirects=True,
                max_redirects=5,
                transport=transport,
                headers={"User-Agent": "mynews-import-feed/1"},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise FeedError(f"Fetching {url} failed: HTTP {response.status_code}.")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_FEED_BYTES:
                raise too_big()
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise too_big()
                chunks.append(chunk)
            return b"".join(chunks)
    except TimeoutError:
        raise FeedError(f"Fetching {url} took too long.") from None
    except httpx.HTTPError as error:
        raise FeedError(f"Fetching {url} failed: {error}") from None


async def read_source(source: str) -> tuple[bytes, str | None]:
    """The document at a local path or an http(s) URL, and that URL (to resolve links)."""
    if is_http_url(source):
        return await fetch(source), source
    return await asyncio.to_thread(read_file, source), None


def safe_tree(data: bytes) -> ET.Element | None:
    """The document's tree, refusing entity declarations; None when it is not well-formed."""
    try:
        root: ET.Element = SafeET.fromstring(data)
    except DefusedXmlException:
        raise FeedError(
            "The feed declares XML entities in its DOCTYPE; it is refused "
            "(entities are never expanded)."
        ) from None
    except ET.ParseError:
        if any(marker in data for marker in _ENTITY_DECLARATION):
            raise FeedError(
                "The feed is not well-formed XML and declares entities; refused."
            ) from None
        # Malformed but harmless (an HTML entity, a stray "&"): feedparser's loose parser copes.
        return None
    return root
