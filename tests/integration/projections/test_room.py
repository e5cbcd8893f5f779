"""The room read model on PostgreSQL, driven through the real application."""

from __future__ import annotations

from datetime import timedelta

from arena.bootstrap import Arena
from arena.domain.acting import Admin
from arena.projections.room import read_room

from conftest import Clock, drop_shadow, redeliver_shuffled, start_battle


def test_the_room_shows_presence_last_seen_score_and_submissions(arena: Arena, clock: Clock) -> None:
    script = start_battle(arena, clock, ["ada", "bob", "cy"])
    joined = clock.now
    clock.advance(2)
    script.submit("ada", "a", "first")
    script.submit("ada", "a", "second")
    script.verdict("second", "AC")
    script.verdict("first", "AC")  # a second accepted on the same problem earns nothing
    clock.advance(1)
    arena.app.disconnect(script.battle_id, "bob")
    clock.advance(1)
    arena.app.disconnect(script.battle_id, "cy")
    arena.app.reconnect(script.battle_id, "cy")

    room = read_room(arena.engine, str(script.battle_id))

    players = {p["user_id"]: p for p in room["players"]}
    assert room["status"] == "running"
    assert (players["ada"]["score"], players["ada"]["submissions"]) == (100, 2)
    assert players["ada"]["last_seen"] == joined + timedelta(minutes=2)
    assert (players["bob"]["state"], players["cy"]["state"]) == ("DISCONNECTED", "PRESENT")
    assert players["bob"]["joined_at"] == joined


def test_ending_the_battle_completes_everyone_present(arena: Arena, clock: Clock) -> None:
    script = start_battle(arena, clock, ["ada", "bob"])
    arena.app.disconnect(script.battle_id, "bob")
    arena.app.end_battle(script.battle_id, reason="done", by=Admin("admin"))

    room = read_room(arena.engine, str(script.battle_id))

    assert room["status"] == "ended"
    assert [(p["user_id"], p["state"]) for p in room["players"]] == [("ada", "COMPLETED"), ("bob", "DISCONNECTED")]


def test_every_event_delivered_twice_in_shuffled_order_gives_the_same_room(arena: Arena, clock: Clock) -> None:
    script = start_battle(arena, clock, ["ada", "bob"])
    clock.advance(1)
    script.submit("bob", "b", "b1")
    script.verdict("b1", "AC")
    arena.app.disconnect(script.battle_id, "ada")
    live = read_room(arena.engine, str(script.battle_id))

    suffix = redeliver_shuffled(arena, "room", seed=7, battle_id=script.battle_id)
    try:
        again = read_room(arena.engine, str(script.battle_id), suffix=suffix)
    finally:
        drop_shadow(arena, "room", suffix)

    assert again == live
