"""/ready's checks, each within its own short timeout, all at once: the database (the event
store's and the read models' pools), and the broker and Redis where they are configured.

Only the database makes the API unready (docs/adr/0019): every route but the languages needs it.
The broker is not in the request path (commands are appended to the store and the relay
publishes them later), and the limiter fails open without Redis (ADR 0011); taking the API out
of its load balancer for either would turn a partial outage into a whole one. Both are reported.

The database is probed on threads of its own, never the handlers' (a probe blocked on a dead
database must not take a thread a request needs), one probe at a time: while one is still out,
the answer is "down" at once. Its outcome feeds the database breaker, so a /ready that finds the
database back closes it without waiting for the cool-down.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import aio_pika
import redis.asyncio as aioredis
from sqlalchemy import text

from arena.api.dependency_guard import BROKER, DATABASE, REDIS, DependencyGuard
from arena.bootstrap import Arena

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"


class Readiness:
    def __init__(self, arena: Arena, guard: DependencyGuard) -> None:
        self.arena, self.guard = arena, guard
        self.timeout_s = arena.settings.ready_timeout_s
        self._threads = ThreadPoolExecutor(2, thread_name_prefix="arena-ready")
        self._probe: Future | None = None
        self._redis = (aioredis.from_url(arena.settings.redis_url, socket_timeout=self.timeout_s,
                                         socket_connect_timeout=self.timeout_s)
                       if arena.settings.redis_url else None)

    async def checks(self) -> dict[str, str]:
        database, broker, redis = await asyncio.gather(self._database(), self._broker(), self._redis_answers())
        return {DATABASE: database, BROKER: broker, REDIS: redis}

    @staticmethod
    def ready(checks: dict[str, str]) -> bool:
        return checks[DATABASE] == OK

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
        self._threads.shutdown(wait=False, cancel_futures=True)

    async def _database(self) -> str:
        if self._probe is not None and not self._probe.done():
            return DOWN  # the last probe still waits on the database
        self._probe = self._threads.submit(self._database_answers)
        self._probe.add_done_callback(self._count)
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._probe)), self.timeout_s)
        except Exception:  # noqa: BLE001 - any failure or timeout: down
            return DOWN
        return OK

    def _count(self, probe: Future) -> None:
        """The breaker hears how the probe ended, however late: slow is not down."""
        self.guard.failed(DATABASE) if probe.exception() is not None else self.guard.succeeded(DATABASE)

    def _database_answers(self) -> None:
        self.arena.app.recorder.max_notification_id()
        with self.arena.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def _broker(self) -> str:
        if not self.arena.settings.broker_url:
            return NOT_CONFIGURED
        try:
            connection = await asyncio.wait_for(
                aio_pika.connect(self.arena.settings.broker_url, timeout=self.timeout_s), self.timeout_s)
        except Exception:  # noqa: BLE001 - refused, timed out, bad credentials: down
            return DOWN
        await _quietly(connection.close())
        return OK

    async def _redis_answers(self) -> str:
        if self._redis is None:
            return NOT_CONFIGURED
        try:
            await asyncio.wait_for(self._redis.ping(), self.timeout_s)
        except Exception:  # noqa: BLE001
            return DOWN
        return OK


async def _quietly(closing: Any) -> None:
    try:
        await asyncio.wait_for(closing, 0.2)
    except Exception:  # noqa: BLE001 - the check is done; a slow close must not hold the answer
        pass
