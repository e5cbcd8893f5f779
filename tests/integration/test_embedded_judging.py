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


# A scoring problem: two groups worth 40 and 60 of 100 (scaled to the problem's 250 points).
SCORING = b"""---
title: Double
slug: double
points: 250
scoring:
  - {path: "", ignore_sample: true, on_reject: continue}
  - {path: secret, on_reject: continue}
  - {path: secret/small, accept_score: 40, aggregation: min}
  - {path: secret/large, accept_score: 60, aggregation: min}
samples:
  - {input: "1\\n", output: "2\\n", name: "1"}
tests:
  - {input: "5000\\n", output: "10000\\n", name: large/1}
  - {input: "3\\n", output: "6\\n", name: small/1}
---
Double it.
"""


def test_in_a_points_battle_a_scoring_problem_awards_its_share_of_the_problems_points(tmp_path: Path) -> None:
    from arena.projections.scoreboard import read_scoreboard

    arena = bootstrap(ArenaSettings(data_dir=tmp_path))
    try:
        arena.problems.upload(SCORING)
        battle_id = arena.app.create_battle("admin", BattleSettings(title="t", languages=("python",),
                                                                    scoring="points"))
        arena.app.attach_problem(battle_id, "double", by=Admin("admin"))
        arena.app.open_lobby(battle_id, by=Admin("admin"))
        for user in ("ada", "bob"):
            arena.app.join(battle_id, user)
        arena.app.start_battle(battle_id, by=Admin("admin"))
        partial = arena.app.submit(battle_id, "ada", "double", "python",
                                   "n = int(input())\nprint(2 * n if n < 1000 else 0)")
        full = arena.app.submit(battle_id, "bob", "double", "python", "print(2 * int(input()))")
        arena.judge.wait_idle()

        judged = get_submission(arena.engine, partial)
        assert judged["verdict"] == "WA" and judged["points"] == 100  # 40 of 100 x 250
        assert get_submission(arena.engine, full)["verdict"] == "AC"
        rows = {row["user_id"]: row for row in read_scoreboard(arena.engine, str(battle_id))["rows"]}
        assert (rows["bob"]["rank"], rows["bob"]["points"]) == (1, 250)
        assert (rows["ada"]["rank"], rows["ada"]["points"], rows["ada"]["solved"]) == (2, 100, 0)
        # the room's score sums solved problems only (a partial share is the scoreboard's)
        assert arena.app.get_room_player(battle_id, "ada").score == 0
    finally:
        arena.close()
