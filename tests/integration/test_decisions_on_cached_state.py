"""Commands decided on cached aggregates (ADR 9) behave as if decided on the latest state.

Two ArenaApplications on one PostgreSQL stand for two API processes: each has its own cache, and
what one writes the other's cache does not see until a command finds out.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from eventsourcing.persistence import IntegrityError

from arena.bootstrap import Arena, bootstrap
from arena.domain.acting import Admin
from arena.domain.battle import WrongBattleState
from arena.domain.settings import BattleSettings
from arena.domain.room_player import PlayerState, room_player_id
from arena.settings import ArenaSettings
from test_application_on_postgres import problem_document, running_battle


@pytest.fixture(scope="module")
def other(pg_settings: ArenaSettings, arena: Arena) -> Iterator[Arena]:
    """A second process on the same event store (the `arena` fixture migrated it)."""
    instance = bootstrap(pg_settings, migrate=False, judge=False, timers=False)
    yield instance
    instance.close()


def test_commands_decide_on_cache_on_postgres(arena: Arena) -> None:
    assert arena.app.decides_on_cache


def test_a_submission_to_a_battle_ended_elsewhere_is_refused(arena: Arena, other: Arena) -> None:
    battle_id = running_battle(arena, "ada")
    slug = next(iter(arena.app.get_battle(battle_id).problems))
    arena.app.submit(battle_id, "ada", slug, "python", "print(1)")  # the battle is in arena's cache
    arena.app.disconnect(battle_id, "ada")  # so the end leaves ada's own aggregate untouched

    other.app.end_battle(battle_id, reason="ended by the other process", by=Admin("admin"))

    with pytest.raises(WrongBattleState):
        arena.app.submit(battle_id, "ada", slug, "python", "print(2)")
    assert len(other.app.get_room_player(battle_id, "ada").submissions) == 1


def test_a_battle_started_elsewhere_takes_submissions(arena: Arena, other: Arena) -> None:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    arena.problems.upload(problem_document(slug))
    battle_id = arena.app.create_battle("admin", BattleSettings(title="lobby"))
    arena.app.attach_problem(battle_id, slug, by=Admin("admin"))
    arena.app.open_lobby(battle_id, by=Admin("admin"))
    arena.app.join(battle_id, "ada")
    other.app.get_battle(battle_id)  # cached over there in the lobby...
    other.app.get_room_player(battle_id, "ada")
    arena.app.start_battle(battle_id, by=Admin("admin"))  # ...and started here

    other.app.submit(battle_id, "ada", slug, "python", "print(1)")  # the cache alone would refuse
    assert len(arena.app.get_room_player(battle_id, "ada").submissions) == 1


def test_a_reconnect_sees_a_disconnect_made_elsewhere(arena: Arena, other: Arena) -> None:
    battle_id = running_battle(arena, "ada")
    other.app.get_room_player(battle_id, "ada")  # cached PRESENT over there
    arena.app.disconnect(battle_id, "ada")

    other.app.reconnect(battle_id, "ada")  # its cache says PRESENT: a no-op it must not trust
    assert arena.app.get_room_player(battle_id, "ada").state is PlayerState.PRESENT


def test_a_leave_check_sees_a_disconnect_made_elsewhere(arena: Arena, other: Arena) -> None:
    battle_id = running_battle(arena, "ada")
    player_id = room_player_id(battle_id, "ada")
    other.app.get_room_player(battle_id, "ada")  # cached PRESENT over there
    arena.app.disconnect(battle_id, "ada")
    disconnected_at = arena.app.get_room_player(battle_id, "ada").last_seen

    assert other.app.mark_left(player_id, disconnected_at) is True
    assert arena.app.get_room_player(battle_id, "ada").state is PlayerState.LEFT


def test_changes_from_both_processes_all_land(arena: Arena, other: Arena) -> None:
    battle_id = arena.app.create_battle("admin", BattleSettings(title="draft"))
    for i in range(3):
        arena.app.configure_battle(battle_id, {"title": f"here {i}"}, by=Admin("admin"))
        other.app.configure_battle(battle_id, {"title": f"there {i}"}, by=Admin("admin"))
    assert arena.app.get_battle(battle_id).settings.title == "there 2"
    assert arena.app.get_battle(battle_id).version == other.app.get_battle(battle_id).version


def test_the_store_refuses_an_append_decided_on_a_stale_read(arena: Arena) -> None:
    battle_id = running_battle(arena, "ada")
    read_version = arena.app.get_battle(battle_id).version
    arena.app.join(battle_id, "grace")  # the battle moves on after the read
    player = arena.app.get_room_player(battle_id, "ada")
    player.disconnect(at=player.last_seen + timedelta(seconds=1))
    events = player.collect_events()

    with pytest.raises(IntegrityError):
        arena.app.events.put(events, reads=[(battle_id, read_version)])
    assert arena.app.get_room_player(battle_id, "ada").state is PlayerState.PRESENT

    arena.app.events.put(events, reads=[(battle_id, read_version + 1), (uuid.uuid4(), 1)])
    assert arena.app.get_room_player(battle_id, "ada").state is PlayerState.DISCONNECTED
