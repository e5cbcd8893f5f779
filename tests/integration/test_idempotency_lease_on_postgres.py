"""An Idempotency-Key's lease on the real PostgreSQL: a placeholder that was never answered is
taken over once its lease has passed, by exactly one of the requests that find it stale."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

from arena.api.idempotency_store import IdempotencyStore
from arena.bootstrap import Arena

LEASE = timedelta(seconds=60)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def a_key() -> tuple[str, str]:
    return f"user-{uuid.uuid4().hex[:8]}", f"key-{uuid.uuid4().hex}"


def test_an_unanswered_key_is_busy_within_its_lease_and_taken_over_after_it(arena: Arena) -> None:
    clock = Clock()
    store = IdempotencyStore(arena.engine, LEASE, clock)
    principal, key = a_key()

    assert store.claim(principal, key, "h") == ("new", None)
    clock.now += LEASE - timedelta(seconds=1)
    assert store.claim(principal, key, "h") == ("busy", None)
    clock.now += timedelta(seconds=1)
    assert store.claim(principal, key, "h") == ("taken over", None)
    # the taker holds a lease of its own now
    assert store.claim(principal, key, "h") == ("busy", None)
    store.answer(principal, key, 202, "application/json", b'{"id": "s-1"}')
    clock.now += 10 * LEASE
    assert store.claim(principal, key, "h") == ("replay", (202, "application/json", b'{"id": "s-1"}'))


def test_a_released_key_is_taken_over_at_once_and_still_refuses_another_request(arena: Arena) -> None:
    store = IdempotencyStore(arena.engine, LEASE, Clock())
    principal, key = a_key()

    assert store.claim(principal, key, "h") == ("new", None)
    store.release(principal, key)
    assert store.claim(principal, key, "other") == ("mismatch", None)
    assert store.claim(principal, key, "h") == ("taken over", None)


def test_of_many_requests_finding_a_stale_key_exactly_one_takes_it_over(arena: Arena) -> None:
    clock = Clock()
    store = IdempotencyStore(arena.engine, LEASE, clock)
    principal, key = a_key()
    assert store.claim(principal, key, "h") == ("new", None)
    clock.now += 2 * LEASE
    start, outcomes = threading.Barrier(6), []

    def claim() -> None:
        start.wait()
        outcomes.append(store.claim(principal, key, "h")[0])

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["busy"] * 5 + ["taken over"]
