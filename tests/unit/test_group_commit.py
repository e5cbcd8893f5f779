"""Group commit: concurrent saves share transactions; a conflict fails only its own save."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from arena.group_commit import GroupCommit


class Conflict(Exception):
    pass


class FakeStore:
    """Appends (name, version) events; a version already taken, or a read that is no longer the
    latest version, is a conflict for the whole call."""

    def __init__(self, latency: float = 0.002) -> None:
        self.latency = latency
        self.rows: list[tuple[str, int]] = []
        self.calls: list[int] = []
        self.keys: list[str] = []
        self.lock = threading.Lock()

    def write(self, events, reads=(), keys=()):
        time.sleep(self.latency)  # the commit's fsync: others pile up meanwhile
        with self.lock:
            self.calls.append(len(events))
            if len(set(events)) < len(events) or any(event in self.rows for event in events):
                raise Conflict(events)
            if any(name == read and version > seen for name, version in self.rows for read, seen in reads):
                raise Conflict(reads)
            if len(set(keys)) < len(keys) or any(key in self.keys for key in keys):
                raise Conflict(keys)  # a command key kept before (arena_command_keys' primary key)
            self.rows.extend(events)
            self.keys.extend(keys)
            return [f"recording of {event}" for event in events]


def test_one_save_alone_is_written_as_it_is() -> None:
    store = FakeStore()
    assert GroupCommit(store.write).record([("a", 1), ("a", 2)]) == [
        "recording of ('a', 1)", "recording of ('a', 2)"]
    assert store.calls == [2]


def test_concurrent_saves_share_transactions_and_each_gets_its_own_recordings() -> None:
    store = FakeStore()
    group = GroupCommit(store.write)
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda n: group.record([(f"agg-{n}", 1)]), range(200)))
    assert results == [[f"recording of ('agg-{n}', 1)"] for n in range(200)]
    assert sorted(store.rows) == sorted((f"agg-{n}", 1) for n in range(200))
    assert len(store.calls) < 200  # batches formed
    assert max(store.calls) > 1


def test_a_conflict_in_a_batch_fails_only_the_save_that_caused_it() -> None:
    store = FakeStore(latency=0.02)
    group = GroupCommit(store.write)
    store.rows.append(("taken", 1))
    start = threading.Barrier(8)

    def save(n: int):
        start.wait()
        try:
            return group.record([("taken", 1)] if n == 3 else [(f"agg-{n}", 1)])
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(save, range(8)))
    assert results[3] == "conflict"
    assert all(result == [f"recording of ('agg-{n}', 1)"] for n, result in enumerate(results) if n != 3)
    assert sorted(store.rows) == sorted([("taken", 1)] + [(f"agg-{n}", 1) for n in range(8) if n != 3])


def test_a_stale_read_in_a_batch_fails_only_the_save_that_made_it() -> None:
    store = FakeStore(latency=0.02)
    group = GroupCommit(store.write)
    store.rows += [("battle", 1), ("battle", 2)]
    start = threading.Barrier(6)

    def save(n: int):
        start.wait()
        reads = [("battle", 1)] if n == 2 else [("battle", 2)]  # save 2 decided on an old battle
        try:
            return group.record([(f"player-{n}", 1)], reads)
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(save, range(6)))
    assert results[2] == "conflict"
    assert all(result == [f"recording of ('player-{n}', 1)"] for n, result in enumerate(results) if n != 2)
    assert ("player-2", 1) not in store.rows


def test_each_save_keeps_its_command_key_with_its_events_and_a_kept_key_fails_only_its_save() -> None:
    store = FakeStore(latency=0.02)
    group = GroupCommit(store.write)
    store.keys.append("key-kept")
    start = threading.Barrier(6)

    def save(n: int):
        start.wait()
        try:
            return group.record([(f"player-{n}", 1)], (), ["key-kept" if n == 4 else f"key-{n}"])
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(save, range(6)))
    assert results[4] == "conflict"
    assert ("player-4", 1) not in store.rows
    assert sorted(store.keys) == sorted(["key-kept"] + [f"key-{n}" for n in range(6) if n != 4])


def test_an_empty_save_writes_nothing() -> None:
    store = FakeStore()
    assert GroupCommit(store.write).record([]) == []
    assert store.calls == []


def test_a_writer_that_dies_hands_over_and_nobody_hangs() -> None:
    calls = []

    def write(events, reads, keys=()):
        calls.append(events)
        if len(calls) == 1:
            raise KeyboardInterrupt  # not an Exception: the leader's own thread stops
        return list(events)

    group = GroupCommit(write)
    with pytest.raises(KeyboardInterrupt):
        group.record(["first"])
    assert group.record(["second"]) == ["second"]  # the pen was handed back
