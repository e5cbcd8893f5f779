"""Finding 4, without I/O: commands on one aggregate queue on its lock, a cached aggregate is
never changed in place, and a command that cannot get its turn is Busy (never a crash)."""

from __future__ import annotations

import threading
import uuid

import pytest

from arena.application.locks import AggregateLocks, Busy
from test_application_in_memory import app, in_lobby  # noqa: F401 (the fixture)


def test_a_fast_forward_replaces_the_cached_battle_and_never_changes_it(app) -> None:  # noqa: F811
    battle_id = in_lobby(app)
    cached = app.repository.cached(battle_id)
    version = cached.version
    # Appended around the cache, as another process would: the next read fast-forwards.
    battle = app.repository.get(battle_id)
    battle.admit("ada")
    app.events.put(battle.collect_events())

    assert list(app.get_battle(battle_id).players) == ["ada"]
    assert (cached.version, list(cached.players)) == (version, [])  # what a concurrent copy was reading
    assert app.repository.cached(battle_id).version == version + 1


def test_an_older_save_never_replaces_a_newer_cached_state(app) -> None:  # noqa: F811
    battle_id = in_lobby(app, "ada")
    older = app.repository.get(battle_id, version=2)

    app.repository.offer(older)

    assert list(app.repository.cached(battle_id).players) == ["ada"]


def test_commands_on_one_aggregate_run_one_at_a_time() -> None:
    locks, aggregate = AggregateLocks(), uuid.uuid4()
    inside, most = [0], [0]
    guard = threading.Lock()

    def command() -> None:
        with locks.hold([aggregate]):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            threading.Event().wait(0.001)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=command) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


def test_a_queue_that_does_not_move_answers_busy() -> None:
    locks, aggregate = AggregateLocks(wait_s=0.05), uuid.uuid4()
    held, release = threading.Event(), threading.Event()

    def slow_command() -> None:
        with locks.hold([aggregate]):
            held.set()
            release.wait()

    thread = threading.Thread(target=slow_command)
    thread.start()
    held.wait()
    try:
        with pytest.raises(Busy) as busy, locks.hold([aggregate]):
            pass
        assert busy.value.headers == {"Retry-After": "1"}
    finally:
        release.set()
        thread.join()


def test_a_command_inside_a_command_never_waits_for_a_lock() -> None:
    locks, first, second = AggregateLocks(stripes=1), uuid.uuid4(), uuid.uuid4()  # one stripe: same lock
    with locks.hold([first]), locks.hold([second]):  # the same thread: no self-deadlock
        pass
    with locks.hold([first]):  # released on the way out
        pass

