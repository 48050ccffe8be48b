"""Conditional GET: strong ETags over the exact bytes served, and 304s that send none."""

import hashlib
from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response


def strong_etag(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return f'"{digest.hexdigest()[:40]}"'


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [c.strip() for c in header.split(",")]
    # Weak comparison, as RFC 9110 prescribes for If-None-Match.
    return "*" in candidates or etag in {c.removeprefix("W/") for c in candidates}


def is_not_modified(request: Request, etag: str, last_modified: datetime | None = None) -> bool:
    """True when the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since and last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return last_modified.replace(microsecond=0) <= since
    return False


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def conditional_response(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    last_modified: datetime | None = None,
    headers: Mapping[str, str] | None = None,
    etag: str | None = None,
) -> Response:
    """200 with the body, or 304 with none; both carry the validators."""
    etag = etag or strong_etag(body)
    validators = {"ETag": etag, **(headers or {})}
    if last_modified is not None:
        validators["Last-Modified"] = http_date(last_modified)
    if is_not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=validators)
    return Response(body, media_type=media_type, headers=validators)
