"""The embedded default's timers: a heap of due times served by one thread.

Lost on a restart by design: `sweep` (run at start-up and periodically) re-checks the same
conditions from the stored state, the safety net DESIGN.md asks of every timer.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from arena.application import ArenaApplication
from arena.bus.envelope import EventEnvelope
from arena.handlers.timers import TimerCommand, fire, timers_for

log = structlog.get_logger("arena.timers")


class LocalTimers:
    def __init__(self, app: ArenaApplication, leave_after: timedelta, clock: Callable[[], datetime],
                 sweep: Callable[[], None] | None = None, sweep_every: timedelta = timedelta(seconds=30)):
        self.app = app
        self.leave_after = leave_after
        self.clock = clock
        self._sweep = sweep
        self._sweep_every = sweep_every
        self._heap: list[tuple[datetime, int, TimerCommand | None]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="arena-timers", daemon=True)
        self._thread.start()

    def __call__(self, event: EventEnvelope) -> None:
        """Local-bus handler: schedules the timers this event asks for."""
        for command in timers_for(event, self.leave_after):
            self.schedule(command, command.due_at)

    def schedule(self, command: TimerCommand | None, due_at: datetime) -> None:
        with self._wake:
            heapq.heappush(self._heap, (due_at, next(self._order), command))
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        if self._sweep is not None:
            self.schedule(None, self.clock())  # None = run the sweep
        while True:
            with self._wake:
                while not self._closed and (not self._heap or self._heap[0][0] > self.clock()):
                    timeout = (self._heap[0][0] - self.clock()).total_seconds() if self._heap else None
                    self._wake.wait(timeout=None if timeout is None else max(timeout, 0.001))
                if self._closed:
                    return
                _, _, command = heapq.heappop(self._heap)
            self._run(command)

    def _run(self, command: TimerCommand | None) -> None:
        try:
            if command is None:
                self._sweep()
                self.schedule(None, self.clock() + self._sweep_every)
                return
            again = fire(command, self.app, self.clock())
            if again is not None:
                self.schedule(command, self.clock() + again)
        except Exception:  # a timer must never kill the timer thread
            log.exception("timer failed", timer=command.message_id if command else "sweep")
