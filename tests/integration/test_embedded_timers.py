"""Timers on the embedded default: leave after a disconnect, scheduled start, end by duration."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from arena.bootstrap import bootstrap
from arena.domain.acting import Admin
from arena.domain.battle import BattleStatus
from arena.domain.room_player import PlayerState
from arena.domain.settings import BattleSettings
from arena.settings import ArenaSettings

PROBLEM = b"---\ntitle: Echo\nslug: echo\nsamples:\n  - {input: \"1\", output: \"1\"}\n---\nEcho.\n"


def eventually(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def arena(tmp_path: Path):
    instance = bootstrap(ArenaSettings(data_dir=tmp_path, leave_after=0.3), judge=False)
    instance.problems.upload(PROBLEM)
    yield instance
    instance.close()


def lobby(arena, **settings) -> object:
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t", **settings))
    arena.app.attach_problem(battle_id, "echo", by=Admin("admin"))
    arena.app.open_lobby(battle_id, by=Admin("admin"))
    return battle_id


def test_a_player_who_stays_disconnected_becomes_left(arena) -> None:
    battle_id = lobby(arena)
    arena.app.join(battle_id, "ada")
    arena.app.disconnect(battle_id, "ada")
    assert eventually(lambda: arena.app.get_room_player(battle_id, "ada").state is PlayerState.LEFT)


def test_a_player_who_reconnects_before_the_timer_stays_present(arena) -> None:
    battle_id = lobby(arena)
    arena.app.join(battle_id, "ada")
    arena.app.disconnect(battle_id, "ada")
    arena.app.reconnect(battle_id, "ada")
    time.sleep(0.6)  # twice ARENA_LEAVE_AFTER: the timer has fired and found the player back
    assert arena.app.get_room_player(battle_id, "ada").state is PlayerState.PRESENT


def test_a_scheduled_battle_starts_by_itself(arena) -> None:
    start_at = datetime.now(timezone.utc) + timedelta(seconds=0.3)
    battle_id = lobby(arena, start_at=start_at)
    assert arena.app.get_battle(battle_id).status is BattleStatus.LOBBY
    assert eventually(lambda: arena.app.get_battle(battle_id).status is BattleStatus.RUNNING)
    assert arena.app.get_battle(battle_id).started_at >= start_at


class MovableClock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset


def test_a_running_battle_ends_after_its_duration_and_completes_present_players(tmp_path: Path) -> None:
    clock = MovableClock()
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False, clock=clock)
    try:
        arena.problems.upload(PROBLEM)
        battle_id = lobby(arena, duration_s=60)
        arena.app.join(battle_id, "ada")
        arena.app.start_battle(battle_id, by=Admin("admin"))
        assert arena.app.end_battle_if_due(battle_id) is False  # not due yet: a no-op

        clock.offset = timedelta(seconds=61)
        arena.timers.schedule(None, clock())  # wake the timer thread: its end timer is now due
        assert eventually(lambda: arena.app.get_battle(battle_id).status is BattleStatus.ENDED)
        assert arena.app.get_room_player(battle_id, "ada").state is PlayerState.COMPLETED
    finally:
        arena.close()


def test_an_extended_battle_is_ended_by_the_timer_of_its_new_end_not_its_first(tmp_path: Path) -> None:
    from uuid import uuid4

    from arena.handlers.local_timers import LocalTimers
    from arena.handlers.routing import TIMERS
    from arena.handlers.timers import TimerCommand

    clock = MovableClock()
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False, timers=False, clock=clock)
    timers = LocalTimers(arena.app, timedelta(minutes=5), clock)  # no sweep: only timers end battles here
    arena.bus.handlers.append((TIMERS, timers))
    try:
        arena.problems.upload(PROBLEM)
        battle_id = lobby(arena, duration_s=60)
        arena.app.start_battle(battle_id, by=Admin("admin"))
        arena.app.extend_battle(battle_id, 30, by=Admin("admin"))

        def wake() -> None:  # a timer about no battle: its firing wakes the thread and does nothing
            timers.schedule(TimerCommand(kind="end_if_due", target=uuid4(), due_at=clock()), clock())

        clock.offset = timedelta(seconds=61)
        wake()
        assert not arena.app.get_battle(battle_id).is_due_to_end(clock())
        assert arena.app.get_battle(battle_id).status is BattleStatus.RUNNING

        clock.offset = timedelta(seconds=91)
        wake()
        assert eventually(lambda: arena.app.get_battle(battle_id).status is BattleStatus.ENDED)
    finally:
        timers.close()
        arena.close()
