"""Pure ASGI middleware: the request-body limit, the CMS batches' slots, headers every
response needs, and gzip."""

import asyncio
from dataclasses import dataclass
from typing import Any, cast

from fastapi import HTTPException
from isal import isal_zlib
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware as StarletteGZipMiddleware
from starlette.middleware.gzip import GZipResponder, IdentityResponder
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.conditional import GZIP_ETAG_SUFFIX, gzip_accepted, gzip_etag
from app.errors import Busy, PayloadTooLarge, problem
from app.ratelimit import count_refused

BATCH_PATH = "/v1/articles/batch"
INGEST_RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class RouteTemplate:
    """The route a request answered before routing stands for (metrics label requests by it)."""

    path: str


class IngestSlotsMiddleware:
    """A CMS batch waits for one of this worker's few ingest slots (``ingest_concurrency``)
    before its body is read, and holds it until its answer is sent, after its commit.

    Every batch ends by updating the rows of the topics it files under, and popular topics
    are in nearly every batch: dozens of batches at once would queue on those row locks until
    their statements time out. A batch waiting here holds no lock, no connection, and not its
    body either: a worker fed more batches than it writes at once does not keep each one's
    parsed articles meanwhile (up to 500 a batch). One that waits ``ingest_wait_seconds`` in
    vain is told to come back (503, ``Retry-After``), having written nothing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != BATCH_PATH:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        slots: asyncio.Semaphore = state.ingest_slots
        try:
            async with asyncio.timeout(state.settings.ingest_wait_seconds):
                await slots.acquire()
        except TimeoutError:
            scope["route"] = RouteTemplate(BATCH_PATH)
            busy = Busy(
                "Too many article batches are being written at once; retry shortly.",
                retry_after=INGEST_RETRY_AFTER_SECONDS,
            )
            await busy.response()(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()


# Responses under these paths are one person's data: no shared cache may keep them.
PRIVATE_PATH_PREFIXES = ("/v1/me", "/v1/auth", "/v1/admin")


class BodySizeLimitMiddleware:
    """413 for request bodies over the limit, whether declared or streamed."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            response = problem(413, self._detail(), code=PayloadTooLarge.code)
            await response(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # FastAPI passes an HTTPException raised while reading the body through
                    # to its handler; one raised where no route reads the body (a request
                    # answered before routing) comes back here.
                    raise HTTPException(413, self._detail())
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except HTTPException as error:
            if error.status_code != 413 or started:
                raise
            await problem(413, self._detail(), code=PayloadTooLarge.code)(scope, receive, send)

    def _detail(self) -> str:
        return f"The request body is larger than {self.max_body_bytes} bytes."


class HeadMiddleware:
    """HEAD is GET without the body (RFC 9110 9.3.2): every GET route and early answer serves
    it, with GET's status and headers (``Content-Length`` included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # The server keeps its own scope, which still says HEAD.
        await self.app({**scope, "method": "GET"}, receive, send_without_body)


class NulPathMiddleware:
    """404 for a path holding a NUL byte (``%00``): no resource is named by one. PostgreSQL
    keeps no NUL in text, and a lookup of one there fails rather than finding nothing. It
    counts against the caller's rate limit, as any path no route serves does."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in scope["path"]:
            refused = await count_refused(Request(scope))
            await (refused or problem(404, "No such resource."))(scope, receive, send)
            return
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Headers every response carries: no MIME sniffing, no framing; and
    ``Cache-Control: private, no-store`` on every account and personal-state response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(PRIVATE_PATH_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                if private:
                    headers["Cache-Control"] = "private, no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class EncodedETagMiddleware:
    """Gives a compressed response its own strong ETag (RFC 9110 8.8.3.3).

    Sits outside the gzip middleware: when that compressed the body, the identity ETag no
    longer names these bytes, so a suffix is added; If-None-Match accepts either form.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_etag(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                etag = headers.get("etag")
                coded = headers.get("content-encoding") == "gzip"
                if (
                    coded
                    and etag
                    and etag.startswith('"')
                    and not etag.endswith(GZIP_ETAG_SUFFIX + '"')
                ):
                    headers["ETag"] = gzip_etag(etag)
            await send(message)

        await self.app(scope, receive, send_with_etag)


class GZipMiddleware(StarletteGZipMiddleware):
    """Starlette's gzip middleware, compressing with ISA-L (``isal``) rather than zlib.

    A response made for one request is compressed for it alone, on the worker's time
    (``app.conditional.GZIP_LEVEL_PER_RESPONSE``): ISA-L does it in less than half the time
    zlib takes for about as many bytes. Bodies, headers, streaming and what is left
    uncompressed are Starlette's."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responder: ASGIApp
        if gzip_accepted(Headers(scope=scope).get("Accept-Encoding", "")):
            responder = _IsalGZipResponder(
                self.app,
                self.minimum_size,
                compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=self.exclude_content_types,
            )
        else:
            # Starlette's own check finds "gzip" in "gzip;q=0" as well.
            responder = IdentityResponder(
                self.app, self.minimum_size, exclude_content_types=self.exclude_content_types
            )
        await responder(scope, receive, send)


class _IsalGZipResponder(GZipResponder):
    @property
    def compressor(self) -> Any:
        if self._compressor is None:
            window = 16 + isal_zlib.MAX_WBITS  # a gzip header and trailer
            compressor = isal_zlib.compressobj(self.compresslevel, isal_zlib.DEFLATED, window)
            self._compressor = cast(Any, compressor)  # zlib's interface
        return self._compressor
