"""/readyz follows the database down and back up, without a restart of the app."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.config import Settings
from app.main import create_app


class SwitchableProxy:
    """A loopback TCP proxy to the database that can be cut and restored, like an outage."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.up = True
        self.links: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.links |= {writer, upstream_writer}
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.close()
        self.links.discard(sink)

    def cut(self) -> None:
        self.up = False
        for link in list(self.links):
            link.close()

    def restore(self) -> None:
        self.up = True

    async def stop(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
async def proxy(settings: Settings) -> AsyncIterator[tuple[SwitchableProxy, int]]:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a network outage needs a networked database (PostgreSQL)")
    proxy = SwitchableProxy(url.host or "127.0.0.1", url.port or 5432)
    port = await proxy.start()
    yield proxy, port
    await proxy.stop()


async def test_readyz_fails_during_outage_and_recovers(
    settings: Settings, proxy: tuple[SwitchableProxy, int]
) -> None:
    switch, port = proxy
    url = make_url(settings.database_url).set(port=port, host="127.0.0.1")
    app = create_app(
        settings.model_copy(
            update={
                "database_url": url.render_as_string(hide_password=False),
                "db_connect_timeout_seconds": 2,
            }
        )
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/readyz")).status_code == 200

        switch.cut()
        down = await client.get("/readyz")
        assert down.status_code == 503
        assert "retry-after" in down.headers

        switch.restore()
        # Pooled connections died with the outage; the pool replaces them on its own.
        assert (await client.get("/readyz")).status_code == 200
    await app.state.database.engine.dispose()
