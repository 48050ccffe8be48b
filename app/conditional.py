"""Conditional GET: strong ETags over the exact bytes served, and 304s that send none."""

import gzip
import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import Request, Response


def strong_etag(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return f'"{digest.hexdigest()[:40]}"'


# A gzip-coded body gets its own strong ETag (RFC 9110 8.8.3.3): the identity one plus this.
GZIP_ETAG_SUFFIX = "-gzip"
# Responses smaller than this are sent uncompressed.
GZIP_MINIMUM_SIZE = 1024
# A response made for one request is compressed for that request alone, by ISA-L
# (``app.middleware.GZipMiddleware``), whose levels are 0 to 3. At 2, a feed page of 27 KB
# takes ~40 µs and 5% more bytes than zlib's level 3 in ~100 µs (zlib's level 9, Starlette's
# default: ~300 µs, 11% fewer bytes). What is kept and served many times is compressed
# harder, once (``app.cache.GZIP_LEVEL``).
GZIP_LEVEL_PER_RESPONSE = 2


def gzip_etag(etag: str) -> str:
    return etag[:-1] + GZIP_ETAG_SUFFIX + '"'


def matching_etag(request: Request, etag: str) -> str | None:
    """The client's If-None-Match entry that matches ``etag`` or its gzip variant, if any."""
    header = request.headers.get("if-none-match")
    if header is None:
        return None
    # Weak comparison, as RFC 9110 prescribes for If-None-Match.
    for candidate in (c.strip().removeprefix("W/") for c in header.split(",")):
        if candidate == "*":
            return etag
        if candidate in (etag, gzip_etag(etag)):
            return candidate
    return None


# HTTP dates name whole seconds, and a change becomes visible a moment after it is stamped
# (its commit): a date sent is at least this far behind what it was made from
# (``last_modified_date``).
COMMIT_MARGIN = timedelta(seconds=1)
SECOND = timedelta(seconds=1)


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def last_modified_date(changed_at: datetime, as_of: datetime) -> datetime:
    """The ``Last-Modified`` of a representation changed last at ``changed_at`` and made from
    what was read ``as_of``: the end of the second of the change, so that a client echoing
    it is sent a 304 only if nothing changed in that second after its copy was made
    (``is_not_modified``); but never later than a second before ``as_of``, so no copy made
    before a change had committed (or within its second) carries that date. Made within that
    window of a change, the date is one no later change can match: such a copy is
    revalidated by date once more in full, which is always safe."""
    return min(_whole_second(changed_at) + SECOND, _whole_second(as_of) - COMMIT_MARGIN)


def is_not_modified(request: Request, etag: str, changed_at: datetime | None = None) -> bool:
    """True when the client's copy is current (If-None-Match wins over If-Modified-Since).

    By date, the copy is current when its date is at least the end of the second of the last
    change, ``changed_at``: a copy dated earlier may predate a change made in that second.
    """
    if request.headers.get("if-none-match") is not None:
        return matching_etag(request, etag) is not None
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since and changed_at is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return _whole_second(changed_at) + SECOND <= since
    return False


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def conditional_response(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    headers: Mapping[str, str] | None = None,
    etag: str | None = None,
) -> Response:
    """200 with the body, or 304 with none (by ``If-None-Match``); both carry the ETag."""
    etag = etag or strong_etag(body)
    validators = {"ETag": etag, **(headers or {})}
    if is_not_modified(request, etag):
        return not_modified(request, etag, validators, body_size=len(body))
    return Response(body, media_type=media_type, headers=validators)


def not_modified(
    request: Request, etag: str, headers: Mapping[str, str], *, body_size: int | None
) -> Response:
    """A 304 naming the representation the client holds (identity or gzip).

    Revalidated by date, the client's copy is the one it would be sent now: gzip-coded when
    it accepts gzip and the body (``body_size``, None if unknown) is worth compressing.
    """
    held = matching_etag(request, etag)
    if held is None:
        large = body_size is None or body_size >= GZIP_MINIMUM_SIZE
        held = gzip_etag(etag) if accepts_gzip(request) and large else etag
    return Response(status_code=304, headers={**headers, "ETag": held})


def accepts_gzip(request: Request) -> bool:
    return gzip_accepted(request.headers.get("accept-encoding", ""))


def gzip_accepted(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value admits gzip (RFC 9110 12.5.3): named (or ``x-gzip``,
    or covered by ``*``) with a weight above 0; ``gzip;q=0`` refuses it."""
    if ";" not in accept_encoding:  # no weights: what clients send nearly always
        return "gzip" in accept_encoding or "*" in accept_encoding
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        coding, _, parameters = part.partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0  # a weight that is not one admits nothing
        weights[coding.strip().lower()] = weight
    for coding in ("gzip", "x-gzip", "*"):
        if coding in weights:
            return weights[coding] > 0
    return False


def gzip_size(packed: bytes) -> int:
    """The decoded size a gzip body records in its trailer (ISIZE, RFC 1952 2.3.1)."""
    return int.from_bytes(packed[-4:], "little")


def coded_response(
    request: Request, packed: bytes, media_type: str, headers: Mapping[str, str]
) -> Response:
    """A body kept gzip-coded: sent as it is when the client takes gzip and the body is worth
    compressing, else decoded, as the gzip middleware would have chosen."""
    if accepts_gzip(request) and gzip_size(packed) >= GZIP_MINIMUM_SIZE:
        coded = {**headers, "Content-Encoding": "gzip"}
        return Response(packed, media_type=media_type, headers=coded)
    return Response(gzip.decompress(packed), media_type=media_type, headers=headers)
