"""Per-aggregate locks, so that commands on one aggregate in one process queue instead of thrash.

Optimistic concurrency alone is correct but, under a burst on ONE aggregate (a player submitting
from many tabs, a crowd joining one battle), every command reads the same version, all but one
lose at append time, and the losers re-run on fresh state only to lose again: after its last
retry a command fails. Here a command first takes the lock of each aggregate it decides on, so
the burst runs one command at a time (each decided on the state the previous one saved) and
conflicts come only from other processes.

A small table of striped locks, keyed by aggregate id: memory does not grow with the number of
aggregates, and two aggregates sharing a stripe only queue behind each other, which is harmless.
No lock is global and pure reads take none.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

# When whoever runs a command stops waiting for it (a time.monotonic() value; the API sets its
# request deadline, docs/adr/0019): a command still queued for its turn then gives up as Busy,
# having changed nothing, instead of running after its caller was told 503 and left.
COMMAND_DEADLINE: ContextVar[float | None] = ContextVar("command_deadline", default=None)


class Busy(Exception):
    """A command could not get its turn (conflicts kept coming, or its queue did not move):
    nothing was changed, and the same command is likely to succeed if sent again shortly.
    Not a domain error: the state did not refuse anything. The API answers 503 + Retry-After."""

    retry_after_s = 1

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class _Held(threading.local):
    stripes: frozenset[int] = frozenset()


class AggregateLocks:
    def __init__(self, stripes: int = 256, wait_s: float = 10.0) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]
        self._wait_s = wait_s  # a queue that does not move within this is an outage, not a burst
        self._held = _Held()

    @contextmanager
    def hold(self, aggregate_ids: Iterable[UUID]) -> Iterator[None]:
        """Holds the locks of these aggregates (in stripe order, so two commands never deadlock).

        A command run inside another one (the thread already holds stripes) only tries the
        locks it lacks: waiting there could deadlock with a thread waiting for ours, and
        optimistic concurrency keeps it correct anyway, lock or no lock."""
        held = self._held.stripes
        wanted = sorted({hash(aggregate_id) % len(self._locks) for aggregate_id in aggregate_ids} - held)
        taken: list[int] = []
        deadline = COMMAND_DEADLINE.get()
        try:
            for stripe in wanted:
                lock = self._locks[stripe]
                wait_s = self._wait_s if deadline is None else max(0.0, min(self._wait_s, deadline - time.monotonic()))
                if lock.acquire(timeout=wait_s) if not held else lock.acquire(blocking=False):
                    taken.append(stripe)
                elif not held:
                    raise Busy("too many commands are queued on this aggregate; try again shortly")
            self._held.stripes = held | frozenset(taken)
            yield
        finally:
            self._held.stripes = held
            for stripe in reversed(taken):
                self._locks[stripe].release()
