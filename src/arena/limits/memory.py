"""The embedded default's limiter: the same rules as the Redis one, in this process's memory."""

from __future__ import annotations

import threading
import time

from arena.limits.rules import ALLOWED, VERDICT_MEMORY_S, Decision, InFlight, Quota

PRUNE_EVERY = 1024  # checks between sweeps of keys whose state has run out


class InProcessLimiter:
    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._tat: dict[str, float] = {}  # key -> theoretical arrival time, ms
        self._held: dict[str, dict[str, float]] = {}  # key -> member -> expiry, ms
        self._released: dict[str, dict[str, float]] = {}  # key -> member -> forgotten at, ms
        self._lock = threading.Lock()  # verdicts may be released from another thread
        self._checks = 0

    async def check(self, quotas: list[Quota], in_flight: InFlight | None = None) -> Decision:
        now = self.clock() * 1000
        with self._lock:
            self._prune(now)
            worst, new = Decision(True), {}
            for quota in quotas:
                tat = max(self._tat.get(quota.key, now), now) + quota.rate.interval_ms
                wait = tat - quota.rate.period_ms - now
                if wait > worst.retry_after_s * 1000:
                    worst = Decision(False, wait / 1000, quota.name)
                new[quota.key] = tat
            if in_flight is not None and in_flight.cap > 0:
                held = {m: exp for m, exp in self._held.get(in_flight.key, {}).items() if exp > now}
                self._held[in_flight.key] = held
                if len(held) >= in_flight.cap and worst.allowed:
                    worst = Decision(False, (min(held.values()) - now) / 1000, "in_flight")
            if not worst.allowed:
                return worst
            self._tat.update(new)
            if in_flight is not None and in_flight.cap > 0:
                self._held[in_flight.key][in_flight.member] = now + in_flight.ttl_s * 1000
        return ALLOWED

    async def claim(self, key: str, member: str, submission_id: str) -> None:
        with self._lock:
            held = self._held.get(key, {})
            expiry = held.pop(member, None)
            if expiry is None or submission_id in self._released.get(key, {}):
                return  # expired, or its verdict came first: the slot stays free
            held.setdefault(submission_id, expiry)  # a replayed answer must not extend it

    async def release(self, key: str, member: str) -> None:
        self.release_sync(key, member)

    def release_sync(self, key: str, member: str) -> None:
        now = self.clock() * 1000
        with self._lock:
            self._prune(now)  # here too: with the limits off, verdicts still arrive and no check runs
            self._held.get(key, {}).pop(member, None)
            self._released.setdefault(key, {})[member] = now + VERDICT_MEMORY_S * 1000

    async def close(self) -> None:
        pass

    def close_sync(self) -> None:
        pass

    def _prune(self, now: float) -> None:
        self._checks += 1
        if self._checks % PRUNE_EVERY:
            return
        self._tat = {key: tat for key, tat in self._tat.items() if tat > now}
        self._held = {key: held for key, held in self._held.items() if any(e > now for e in held.values())}
        self._released = {key: {m: e for m, e in done.items() if e > now}
                          for key, done in self._released.items() if any(e > now for e in done.values())}
