"""A small TCP proxy for outage tests (imported by name: tests are not packages): it stands
between one process under test and PostgreSQL, so that an outage disturbs nothing else.

pass       bytes flow both ways.
refuse     every connection, open or new, is cut at once (as a server that went away).
blackhole  nothing flows and nothing is refused: open connections hold what they read, new ones
           are accepted and never answered (as a dead network). Back to `pass`, what was held flows.
"""

from __future__ import annotations

import asyncio
import threading

PASS, REFUSE, BLACKHOLE = "pass", "refuse", "blackhole"


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode = PASS
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._flowing: asyncio.Event | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def set_mode(self, mode: str) -> None:
        asyncio.run_coroutine_threadsafe(self._set_mode(mode), self._loop).result(10)

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        self._server.close()
        self._cut_all()
        self._flowing.set()

    async def _set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == PASS:
            self._flowing.set()
            return
        self._flowing.clear()
        if mode == REFUSE:
            self._cut_all()

    def _cut_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.mode == REFUSE:
            client_writer.transport.abort()
            return
        self._open.add(client_writer)
        await self._flowing.wait()  # a blackholed connect hangs here, as on a dead network
        if client_writer not in self._open:  # cut while it waited
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._open.add(server_writer)
        await asyncio.gather(self._pump(client_reader, server_writer), self._pump(server_reader, client_writer),
                             return_exceptions=True)
        for writer in (client_writer, server_writer):
            self._open.discard(writer)
            writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            await self._flowing.wait()  # blackholed: held until the network comes back
            if writer not in self._open:
                return
            writer.write(data)
            await writer.drain()
        writer.transport.abort()
