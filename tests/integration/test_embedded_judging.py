"""The embedded default judges on its own: submissions get verdicts without a broker."""

from __future__ import annotations

from pathlib import Path

from arena.bootstrap import bootstrap
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.projections.submissions import get_submission
from arena.settings import ArenaSettings

PROBLEM = b"""---
title: Echo
slug: echo
samples:
  - {input: "7\\n", output: "7\\n"}
tests:
  - {input: "42\\n", output: "42\\n"}
---
Print what you read.
"""


def start_battle(arena) -> object:
    arena.problems.upload(PROBLEM)
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t", languages=("python",)))
    arena.app.attach_problem(battle_id, "echo", by=Admin("admin"))
    arena.app.open_lobby(battle_id, by=Admin("admin"))
    arena.app.join(battle_id, "ada")
    arena.app.start_battle(battle_id, by=Admin("admin"))
    return battle_id


def test_a_submission_on_the_embedded_default_is_judged_and_scores(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path))
    try:
        battle_id = start_battle(arena)
        accepted = arena.app.submit(battle_id, "ada", "echo", "python", "print(input())")
        wrong = arena.app.submit(battle_id, "ada", "echo", "python", "print(0)")
        arena.judge.wait_idle()
        assert get_submission(arena.engine, accepted)["verdict"] == "AC"
        assert get_submission(arena.engine, wrong)["verdict"] == "WA"
        assert arena.app.get_room_player(battle_id, "ada").score == 100
    finally:
        arena.close()


def test_submissions_left_unjudged_by_a_crash_are_judged_at_the_next_start(tmp_path: Path) -> None:
    settings = ArenaSettings(data_dir=tmp_path)
    first = bootstrap(settings, judge=False)  # the process "crashes" before judging anything
    battle_id = start_battle(first)
    submission_id = first.app.submit(battle_id, "ada", "echo", "python", "print(input())")
    first.close()

    second = bootstrap(settings)
    try:
        second.judge.wait_idle()
        assert get_submission(second.engine, submission_id)["verdict"] == "AC"
    finally:
        second.close()
