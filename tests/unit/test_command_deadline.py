"""Issue 12, finding 3, without I/O: a command still queued for its turn when its caller's
deadline passes gives up as Busy (nothing changed), however long the lock's own wait; without a
deadline, or with its turn free, it runs."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from arena.application.locks import COMMAND_DEADLINE, AggregateLocks, Busy


def test_a_queued_command_whose_caller_gave_up_is_busy_not_run_later() -> None:
    locks, aggregate = AggregateLocks(wait_s=3600), uuid.uuid4()  # the lock alone would wait an hour
    held, release = threading.Event(), threading.Event()

    def slow_command() -> None:
        with locks.hold([aggregate]):
            held.set()
            release.wait()

    thread = threading.Thread(target=slow_command)
    thread.start()
    held.wait()
    ran = []
    token = COMMAND_DEADLINE.set(time.monotonic() - 1)  # the caller's deadline has passed
    try:
        with pytest.raises(Busy), locks.hold([aggregate]):
            ran.append(True)
    finally:
        COMMAND_DEADLINE.reset(token)
        release.set()
        thread.join()
    assert ran == []


def test_a_command_whose_turn_is_free_runs_even_past_its_deadline() -> None:
    locks, aggregate = AggregateLocks(), uuid.uuid4()
    token = COMMAND_DEADLINE.set(time.monotonic() - 1)
    try:
        with locks.hold([aggregate]):
            ran = True
    finally:
        COMMAND_DEADLINE.reset(token)
    assert ran
