"""The relay's own PostgreSQL session: the one-relay-per-store lock, and the wake-up on appends.

- Lock: a session advisory lock named after the relay. A second relay on the same event store
  waits as a standby (checking every `retry_s`) and takes over once the first one's session is
  gone, so two relays never publish the log twice over each other.
- Wake-up: LISTEN on the event table's channel. Every append NOTIFYs it at commit
  (arena_append_events, and eventsourcing's own recorder), so an idle relay does not sleep
  through new events; its polling stays as the fallback.
If this session drops, the lock is gone with it: `lost` finishes and the relay must stop.
Until the lock is held, PostgreSQL refusing or dropping the session is only waited out (with
`backoff`): a relay started while the database is down waits for it (issue 12, finding 2).
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

import psycopg
import structlog
from psycopg import sql

from arena.retrying import DATABASE_DOWN, Backoff

log = structlog.get_logger(__name__)

CONNECT_TIMEOUT_S = 10  # a host that does not answer at all must not hang the relay


class LogWatch:
    def __init__(self, conninfo: str, channel: str, lock_name: str, *, retry_s: float = 1.0,
                 backoff: Backoff | None = None) -> None:
        self.conninfo, self.channel, self.lock_name, self.retry_s = conninfo, channel, lock_name, retry_s
        self.backoff = backoff or Backoff("relay", "database")
        self.woken = asyncio.Event()  # set by each notification; the relay clears it
        self.lost: asyncio.Task[None] | None = None  # finishes when the session (and lock) is gone
        self._conn: psycopg.AsyncConnection | None = None

    async def __aenter__(self) -> LogWatch:
        return self  # the session is opened by hold_lock, which waits for the database

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.lost is not None:
            self.lost.cancel()
            with contextlib.suppress(asyncio.CancelledError, psycopg.Error):
                await self.lost
        await self._close()  # releases the lock: a standby takes over

    async def hold_lock(self, stop_event: asyncio.Event) -> bool:
        """Waits until this relay holds the store's relay lock (True) or is asked to stop."""
        waiting = False
        while not stop_event.is_set():
            try:
                held = await self._try_lock()
            except DATABASE_DOWN as exc:  # no lock held, nothing published: only wait
                await self._close()
                await self.backoff.wait(exc, stop_event)
                continue
            self.backoff.succeeded()
            if held:
                if waiting:
                    log.info("relay.took_over", lock=self.lock_name)
                return True
            if not waiting:
                log.info("relay.standby", lock=self.lock_name, reason="another relay holds the lock")
                waiting = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), self.retry_s)
        return False

    async def _try_lock(self) -> bool:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(
                self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        cursor = await self._conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.lock_name,))
        return bool((await cursor.fetchone())[0])

    async def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                await self._conn.close()
            self._conn = None

    async def listen(self) -> None:
        """Starts waking `woken` on every append; `lost` ends if the session drops."""
        assert self._conn is not None
        await self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        self.lost = asyncio.create_task(self._wake_on_notifies(self._conn))

    async def _wake_on_notifies(self, conn: psycopg.AsyncConnection) -> None:
        async for _ in conn.notifies():
            self.woken.set()
