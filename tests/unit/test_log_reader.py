"""The rebuild's fast decoder agrees with eventsourcing's; its reader thread stops with the caller."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from eventsourcing.application import Application

from arena.projections.log_reader import decode_state, prefetched


def test_the_fast_decoder_gives_what_eventsourcing_gives() -> None:
    transcoder = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.transcoder
    state = transcoder.encode({
        "timestamp": datetime.now(timezone.utc), "battle_id": uuid.uuid4(), "user_id": "ada",
        "details": {"tests": [{"at": datetime.now(timezone.utc), "ms": 3}], "ratio": Decimal("1.5")},
        "settings": {"languages": ["python", "c"], "start_at": None}, "points": 100,
    })
    assert decode_state(state) == transcoder.decode(state)


def test_the_reader_thread_stops_and_cleans_up_when_the_caller_stops_early() -> None:
    closed = threading.Event()

    def pages():
        try:
            for number in range(1000):
                yield [], number
        finally:
            closed.set()

    reader = prefetched(pages(), depth=1)
    assert next(reader) == ([], 0)
    reader.close()
    assert closed.wait(timeout=5)


def test_a_failure_while_reading_reaches_the_caller() -> None:
    def pages():
        yield [], 1
        raise RuntimeError("connection lost")

    reader = prefetched(pages())
    assert next(reader) == ([], 1)
    with pytest.raises(RuntimeError, match="connection lost"):
        next(reader)
