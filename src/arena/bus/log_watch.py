"""The relay's own PostgreSQL session: the one-relay-per-store lock, and the wake-up on appends.

- Lock: a session advisory lock named after the relay. A second relay on the same event store
  waits as a standby (checking every `retry_s`) and takes over once the first one's session is
  gone, so two relays never publish the log twice over each other.
- Wake-up: LISTEN on the event table's channel. Every append NOTIFYs it at commit
  (arena_append_events, and eventsourcing's own recorder), so an idle relay does not sleep
  through new events; its polling stays as the fallback.
If this session drops, the lock is gone with it: `lost` finishes and the relay must stop.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

import psycopg
import structlog
from psycopg import sql

log = structlog.get_logger(__name__)


class LogWatch:
    def __init__(self, conninfo: str, channel: str, lock_name: str, *, retry_s: float = 1.0) -> None:
        self.conninfo, self.channel, self.lock_name, self.retry_s = conninfo, channel, lock_name, retry_s
        self.woken = asyncio.Event()  # set by each notification; the relay clears it
        self.lost: asyncio.Task[None] | None = None  # finishes when the session (and lock) is gone
        self._conn: psycopg.AsyncConnection | None = None

    async def __aenter__(self) -> LogWatch:
        self._conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.lost is not None:
            self.lost.cancel()
            with contextlib.suppress(asyncio.CancelledError, psycopg.Error):
                await self.lost
        if self._conn is not None:
            await self._conn.close()  # releases the lock: a standby takes over

    async def hold_lock(self, stop_event: asyncio.Event) -> bool:
        """Waits until this relay holds the store's relay lock (True) or is asked to stop."""
        assert self._conn is not None
        waiting = False
        while not stop_event.is_set():
            cursor = await self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.lock_name,))
            if (await cursor.fetchone())[0]:
                if waiting:
                    log.info("relay.took_over", lock=self.lock_name)
                return True
            if not waiting:
                log.info("relay.standby", lock=self.lock_name, reason="another relay holds the lock")
                waiting = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), self.retry_s)
        return False

    async def listen(self) -> None:
        """Starts waking `woken` on every append; `lost` ends if the session drops."""
        assert self._conn is not None
        await self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        self.lost = asyncio.create_task(self._wake_on_notifies(self._conn))

    async def _wake_on_notifies(self, conn: psycopg.AsyncConnection) -> None:
        async for _ in conn.notifies():
            self.woken.set()
