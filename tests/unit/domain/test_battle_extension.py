"""Organizer controls in the domain: extending a running battle, points overridden per battle."""

from __future__ import annotations

from datetime import timedelta

import pytest

from arena.domain.acting import SYSTEM, Admin
from arena.domain.battle import Battle, WrongBattleState
from arena.domain.battle_rules import MAX_EXTENSION_S
from arena.domain.errors import InvalidInput
from test_battle import T0, draft, ended, in_lobby, running, with_problem


def test_extending_a_running_battle_moves_its_end_and_records_the_new_end() -> None:
    battle = running("ada", duration_s=600)
    first_end = battle.ends_at

    battle.extend(120, at=T0 + timedelta(minutes=6), by=Admin("admin"))
    battle.extend(60, at=T0 + timedelta(minutes=7), by=SYSTEM)

    assert battle.ends_at == first_end + timedelta(seconds=180)
    extended = [e for e in battle.collect_events() if isinstance(e, Battle.Extended)]
    assert [(e.seconds, e.ends_at, e.by) for e in extended] == [
        (120, first_end + timedelta(seconds=120), "admin"), (60, first_end + timedelta(seconds=180), None)]


def test_an_extended_battle_is_not_due_at_its_old_end_but_is_at_its_new_one() -> None:
    battle = running("ada", duration_s=600)
    old_end = battle.ends_at
    battle.extend(300, at=T0, by=Admin("admin"))

    assert not battle.is_due_to_end(old_end)
    assert battle.is_due_to_end(old_end + timedelta(seconds=300))


@pytest.mark.parametrize("make", [draft, in_lobby, ended])
def test_only_a_running_battle_can_be_extended(make) -> None:
    with pytest.raises(WrongBattleState):
        make().extend(60, at=T0, by=Admin("admin"))


@pytest.mark.parametrize("seconds", [0, -5, MAX_EXTENSION_S + 1])
def test_an_extension_out_of_bounds_is_invalid_input(seconds: int) -> None:
    with pytest.raises(InvalidInput, match="seconds"):
        running("ada").extend(seconds, at=T0, by=Admin("admin"))


def test_a_snapshot_without_extensions_restores_a_battle_that_can_still_be_extended() -> None:
    snapshot = Battle.Snapshot.take(running("ada", duration_s=600))
    assert "extended_s" not in snapshot.state  # as every snapshot taken before extensions existed

    battle = snapshot.mutate(None)
    assert battle.ends_at == battle.started_at + timedelta(seconds=600)
    battle.extend(60, at=T0, by=Admin("admin"))
    assert battle.ends_at == battle.started_at + timedelta(seconds=660)


def test_a_problem_attached_with_its_own_points_is_worth_them_in_this_battle_only() -> None:
    battle = with_problem(draft(), points=250)

    assert battle.points_for("sum", T0) == 250


def test_points_out_of_bounds_are_refused_when_attaching() -> None:
    with pytest.raises(InvalidInput, match="points"):
        with_problem(draft(), points=-1)
