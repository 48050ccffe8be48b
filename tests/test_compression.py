"""Responses made per request are gzip-coded (by ISA-L) for clients that take gzip: standard
gzip that decodes to the identity body, whether sent whole or streamed."""

import gzip
from collections.abc import AsyncIterator

import httpx
import pytest
from isal import isal_zlib
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from app.conditional import GZIP_LEVEL_PER_RESPONSE, GZIP_MINIMUM_SIZE, gzip_accepted
from app.middleware import GZipMiddleware
from tests import factories


async def raw(client: httpx.AsyncClient, path: str, **headers: str) -> httpx.Response:
    """The response with its body as sent (httpx would decode it)."""
    async with client.stream("GET", path, headers=headers) as response:
        response._content = b"".join([part async for part in response.aiter_raw()])
    return response


async def test_a_page_is_gzip_coded_for_clients_that_take_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for n in range(12):
        await factories.create_article(session, headline=f"Talks resume, round {n}")
    identity = await raw(client, "/v1/articles?limit=12", **{"Accept-Encoding": "identity"})
    assert identity.status_code == 200, identity.text
    assert len(identity.content) >= GZIP_MINIMUM_SIZE
    assert "content-encoding" not in identity.headers

    coded = await raw(client, "/v1/articles?limit=12", **{"Accept-Encoding": "gzip"})
    assert coded.headers["content-encoding"] == "gzip"
    assert int(coded.headers["content-length"]) == len(coded.content) < len(identity.content)
    assert "accept-encoding" in coded.headers["vary"].lower()
    assert gzip.decompress(coded.content) == identity.content

    small = await raw(client, "/v1/articles?section=none", **{"Accept-Encoding": "gzip"})
    assert small.status_code == 200
    assert "content-encoding" not in small.headers


@pytest.mark.parametrize(
    ("accept_encoding", "coded"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("x-gzip", True),
        ("identity", False),
        ("", False),
        # A weight of 0 refuses a coding (RFC 9110 12.5.3), named or under "*".
        ("gzip;q=0, identity", False),
        ("gzip;q=0.000", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("gzip;q=nonsense", False),
    ],
)
async def test_gzip_is_sent_only_to_clients_that_accept_it(
    client: httpx.AsyncClient, session: AsyncSession, accept_encoding: str, coded: bool
) -> None:
    assert gzip_accepted(accept_encoding) is coded
    for n in range(12):
        await factories.create_article(session, headline=f"Talks resume, round {n}")
    # A page made for the request; and a topic's, made, then kept and sent as kept (answered
    # before routing).
    paths = ["/v1/articles?limit=12"] + ["/v1/articles?topic=world-news&limit=12"] * 2
    for path in paths:
        response = await raw(client, path, **{"Accept-Encoding": accept_encoding})
        assert response.status_code == 200, response.text
        assert ("content-encoding" in response.headers) is coded, path


async def test_a_streamed_body_is_one_gzip_stream() -> None:
    chunks = [f"chunk {n} ".encode() * 300 for n in range(5)]

    async def stream(_request: Request) -> StreamingResponse:
        async def parts() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return StreamingResponse(parts(), media_type="text/plain")

    app = GZipMiddleware(
        Starlette(routes=[Route("/stream", stream)]),
        minimum_size=GZIP_MINIMUM_SIZE,
        compresslevel=GZIP_LEVEL_PER_RESPONSE,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        coded = await raw(client, "/stream", **{"Accept-Encoding": "gzip"})
    assert coded.headers["content-encoding"] == "gzip"
    assert gzip.decompress(coded.content) == b"".join(chunks)


async def test_the_compressor_is_isa_l_s(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(12):
        await factories.create_article(session, headline=f"Talks resume, round {n}")
    made: list[int] = []
    compressobj = isal_zlib.compressobj

    def counted(*arguments: int) -> object:
        made.append(arguments[0])
        return compressobj(*arguments)

    monkeypatch.setattr(isal_zlib, "compressobj", counted)
    coded = await raw(client, "/v1/articles?limit=12", **{"Accept-Encoding": "gzip"})
    assert coded.headers["content-encoding"] == "gzip"
    assert made == [GZIP_LEVEL_PER_RESPONSE]
