"""A circuit breaker for one dependency of the API (the database, the broker): a state machine
with no I/O and its clock passed in, so the unit tests drive it without waiting.

closed    requests go through; `failures` connection failures in a row open it.
open      requests are answered 503 at once (no call that would hang or fail); after
          `cool_down_s` the next request is let through as the one probe (half-open).
half_open one probe is out; everyone else is still refused. Its success closes the breaker,
          its failure opens it for another cool-down. A probe that never reports (a bug, a
          cancelled task) is replaced by another after a cool-down, so the breaker cannot stick.

Any success resets the count: failures must be consecutive, so a loaded but working database
(one slow request among many good ones) does not open it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from enum import Enum


class BreakerState(str, Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, clock: Callable[[], float], failures: int = 3, cool_down_s: float = 5.0) -> None:
        if failures < 1 or cool_down_s <= 0:
            raise ValueError("a breaker needs failures >= 1 and cool_down_s > 0")
        self._clock, self.failures_to_open, self.cool_down_s = clock, failures, cool_down_s
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._since = clock()  # when the breaker opened, or when its probe went out
        self._lock = threading.Lock()  # /ready reports from its probe threads' callbacks too

    @property
    def state(self) -> BreakerState:
        return self._state

    def allow(self) -> bool:
        """True if a request may use the dependency now (in half-open: it is the probe)."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return True
            if self._clock() - self._since < self.cool_down_s:
                return False
            self._state, self._since = BreakerState.HALF_OPEN, self._clock()
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._state, self._failures = BreakerState.CLOSED, 0

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is BreakerState.HALF_OPEN or self._failures >= self.failures_to_open:
                self._state, self._since = BreakerState.OPEN, self._clock()

    def retry_after_s(self) -> int:
        """Whole seconds until a request may be let through again (at least 1: Retry-After)."""
        with self._lock:
            if self._state is BreakerState.CLOSED:
                return 1
            return max(1, math.ceil(self.cool_down_s - (self._clock() - self._since)))
