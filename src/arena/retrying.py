"""Riding out a dependency that went away: back off, say so, count it, try again.

A process that exits when PostgreSQL or RabbitMQ blinks turns a blip into an outage of its own
(issue 12, finding 2: the relay exited 28 times in 20 minutes of faults). So every process
treats the errors below as "not now" — wait, log, count, retry — and exits only on what no retry
can fix (bad configuration, a lost relay lock). Anything else is a bug and still ends the
process with its traceback.

The wait grows exponentially, capped, with jitter so that processes cut off together do not all
come back in the same instant; it starts small again after a success. Each failure logs one
`dependency.unavailable` line (process, dependency, error, retry_in) and counts one in
RECONNECTS; the first success after failures logs `dependency.back`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field

import aiormq.exceptions
import eventsourcing.persistence
import psycopg
import sqlalchemy.exc
import structlog
from prometheus_client import Counter

from arena.metrics import DEPENDENCY_UP

log = structlog.get_logger("arena.retrying")

# Every retry after a dependency failed, by process and dependency ("database", "broker").
# Module-level as prometheus_client wants it; the metrics issue exports it from /metrics.
RECONNECTS = Counter("arena_reconnects_total", "retries after a dependency was unreachable or failed",
                     ["process", "dependency"])

# PostgreSQL refused, dropped or timed out a connection, as each layer words it.
DATABASE_DOWN: tuple[type[BaseException], ...] = (
    psycopg.OperationalError, psycopg.InterfaceError,  # psycopg_pool.PoolTimeout too
    sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
    eventsourcing.persistence.OperationalError, eventsourcing.persistence.InterfaceError)

# RabbitMQ refused or closed the connection or channel. ChannelInvalidStateError (publishing on a
# channel that just closed) is a bare RuntimeError, hence named; ConnectionError and timeouts
# are OSErrors.
BROKER_DOWN: tuple[type[BaseException], ...] = (
    aiormq.exceptions.AMQPError, aiormq.exceptions.ChannelInvalidStateError, OSError)


@dataclass
class Backoff:
    """The wait before the next try at one dependency of one process."""

    process: str
    dependency: str
    first_s: float = 0.2
    cap_s: float = 15.0
    failures: int = field(default=0, init=False)  # in a row, since the last success

    def failed(self, error: BaseException) -> float:
        """Counts and logs a failure; returns how long to wait before the next try."""
        ceiling = min(self.cap_s, self.first_s * 2 ** self.failures)
        delay = random.uniform(ceiling / 2, ceiling)  # jitter, never much below the curve
        self.failures += 1
        RECONNECTS.labels(self.process, self.dependency).inc()
        DEPENDENCY_UP.mark(self.dependency, 0)
        log.warning("dependency.unavailable", process=self.process, dependency=self.dependency,
                    error=f"{type(error).__name__}: {error}"[:500], attempt=self.failures,
                    retry_in=round(delay, 2))
        return delay

    def succeeded(self) -> None:
        DEPENDENCY_UP.mark(self.dependency, 1)
        if self.failures:
            log.info("dependency.back", process=self.process, dependency=self.dependency,
                     after_failures=self.failures)
        self.failures = 0

    async def wait(self, error: BaseException, stop: asyncio.Event | None = None) -> None:
        """Waits out the backoff after `error`, or until `stop` is set."""
        delay = self.failed(error)
        if stop is None:
            await asyncio.sleep(delay)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
