"""The scoreboard read model on PostgreSQL, driven through the real application."""

from __future__ import annotations

import pytest

from arena.bootstrap import Arena
from arena.domain.acting import Admin
from arena.projections.scoreboard import read_scoreboard

from conftest import BattleScript, Clock, drop_shadow, redeliver_shuffled, start_battle


def icpc_battle(arena: Arena, clock: Clock) -> BattleScript:
    """ada: WA then AC on a, the AC judged first (penalty 10 + 20); bob: a at 12 and b at 42;
    cy: only a compile error; dan never submits."""
    script = start_battle(arena, clock, ["ada", "bob", "cy", "dan"])
    clock.advance(4)
    script.submit("ada", "a", "ada-wa")
    clock.advance(6)
    script.submit("ada", "a", "ada-ac")
    script.verdict("ada-ac", "AC")  # judged before the earlier WA: judging order differs
    script.verdict("ada-wa", "WA")
    clock.advance(2)
    script.submit("bob", "a", "bob-a")
    script.submit("cy", "b", "cy-ce")
    script.verdict("bob-a", "AC")
    script.verdict("cy-ce", "CE")
    clock.advance(30)
    script.submit("bob", "b", "bob-b")
    script.verdict("bob-b", "AC")
    return script


def test_the_icpc_scoreboard_ranks_by_solved_then_penalty(arena: Arena, clock: Clock) -> None:
    script = icpc_battle(arena, clock)

    board = read_scoreboard(arena.engine, str(script.battle_id))

    rows = [(r["rank"], r["user_id"], r["solved"], r["penalty"]) for r in board["rows"]]
    assert rows == [(1, "bob", 2, 12 + 42), (2, "ada", 1, 10 + 20), (3, "cy", 0, 0), (3, "dan", 0, 0)]
    ada = board["rows"][1]["problems"][script.slugs["a"]]
    assert (ada["rejected"], ada["points"]) == (1, 100)


def test_an_attempt_after_the_end_does_not_count(arena: Arena, clock: Clock) -> None:
    script = start_battle(arena, clock, ["ada", "bob"])
    clock.advance(1)
    script.submit("ada", "a", "in-time")
    arena.app.end_battle(script.battle_id, reason="done", by=Admin("admin"))
    script.verdict("in-time", "AC")

    board = read_scoreboard(arena.engine, str(script.battle_id))

    assert [(r["user_id"], r["solved"]) for r in board["rows"]] == [("ada", 1), ("bob", 0)]


def test_points_scoring_sums_points_and_breaks_ties_by_earlier_last_accepted(arena: Arena, clock: Clock) -> None:
    script = start_battle(arena, clock, ["ada", "bob", "cy"], scoring="points", problems={"a": 100, "b": 300})
    clock.advance(3)
    script.submit("ada", "b", "ada-b")
    clock.advance(3)
    script.submit("bob", "a", "bob-a")
    clock.advance(3)
    script.submit("bob", "b", "bob-b")
    clock.advance(3)
    script.submit("ada", "a", "ada-a")
    for label in ("ada-b", "bob-a", "bob-b", "ada-a"):
        script.verdict(label, "AC")

    board = read_scoreboard(arena.engine, str(script.battle_id))

    assert board["scoring"] == "points"
    assert [(r["rank"], r["user_id"], r["points"]) for r in board["rows"]] == [
        (1, "bob", 400), (2, "ada", 400), (3, "cy", 0)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_event_delivered_twice_in_shuffled_order_gives_the_same_scoreboard(
        arena: Arena, clock: Clock, seed: int) -> None:
    script = icpc_battle(arena, clock)
    live = read_scoreboard(arena.engine, str(script.battle_id))

    suffix = redeliver_shuffled(arena, "scoreboard", seed, script.battle_id)
    try:
        again = read_scoreboard(arena.engine, str(script.battle_id), suffix=suffix)
    finally:
        drop_shadow(arena, "scoreboard", suffix)

    assert again == live
