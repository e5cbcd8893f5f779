"""A scoring problem's score from its tests' verdicts, group by group, as problemtools' default
grader adds them up: read from packages written here in both formats (no sandbox)."""

from pathlib import Path

from arena.judge.scoring import score_submission
from arena.judge.verdicts import Verdict
from arena.problems.importing import load_problem_dir

AC, WA, TLE = Verdict.AC, Verdict.WA, Verdict.TLE


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def cases(*names: str) -> dict[str, str]:
    return {f"data/{n}.{ext}": "1\n" for n in names for ext in ("in", "ans")}


LEGACY = {"problem.yaml": "name: Subtasks\ntype: scoring\n",
          "data/testdata.yaml": "grader_flags: ignore_sample\non_reject: continue\n",
          "data/secret/g1/testdata.yaml": "accept_score: 30\ngrader_flags: min\n",
          "data/secret/g2/testdata.yaml": "accept_score: 70\ngrader_flags: min\n",
          **cases("sample/1", "secret/g1/a", "secret/g1/b", "secret/g2/a", "secret/g2/b")}
MODERN = {"problem.yaml": "problem_format_version: 2023-07-draft\nname: Subtasks\ntype: scoring\n",
          "data/secret/g1/test_group.yaml": "max_score: 40\nscore_aggregation: pass-fail\n",
          "data/secret/g2/testdata.yaml": "scoring:\n  score: 60\n  aggregation: sum\n",
          "data/testdata.yaml": "grader_flags: ignore_sample\non_reject: continue\n",
          "data/secret/testdata.yaml": "on_reject: continue\n",
          **cases("sample/1", "secret/g1/a", "secret/g1/b", "secret/g2/a", "secret/g2/b")}


def test_a_legacy_group_scores_its_accept_score_only_if_every_case_in_it_passes(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", LEGACY))

    full = score_submission(problem, [AC, AC, AC, AC, AC])
    partial = score_submission(problem, [WA, AC, AC, AC, TLE])
    half_done = score_submission(problem, [AC, AC, WA, AC, AC])

    assert (full.verdict, full.score, full.max_score) == (AC, 100, 100)
    assert (partial.verdict, partial.score) == (TLE, 30)  # the sample is ignored; g2 fails
    assert {g.group: g.score for g in partial.groups} == {"secret/g1": 30, "secret/g2": 0, "secret": 30}
    assert (half_done.verdict, half_done.score) == (WA, 70)


def test_each_group_carries_its_maximum_the_score_it_gives_with_every_test_accepted(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", MODERN))

    one_of_each = score_submission(problem, [AC, AC, WA, AC, WA])

    assert {g.group: (g.score, g.max_score) for g in one_of_each.groups} == {
        "secret/g1": (0, 40), "secret/g2": (30, 60), "secret": (30, 100)}


def test_a_2023_package_scores_pass_fail_groups_whole_and_sum_groups_by_share(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", MODERN))

    assert score_submission(problem, [AC, AC, AC, AC, AC]).score == 100
    one_of_each = score_submission(problem, [AC, AC, WA, AC, WA])
    assert (one_of_each.verdict, one_of_each.score) == (WA, 30)  # g1 fails whole; g2 half of 60
    assert {g.group: (g.verdict, g.score) for g in one_of_each.groups}["secret/g1"] == (WA, 0)


def test_a_group_stops_at_its_first_failure_by_default_and_what_was_not_judged_counts_nothing(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", {
        "problem.yaml": "name: Plain\ntype: scoring\n", **cases("sample/1", "secret/a", "secret/b")}))

    assert score_submission(problem, [AC, AC, AC]).score == 3  # sample counts by default: 1 each
    assert score_submission(problem, [AC, WA, AC]).score == 1  # break: secret/b is not judged
    not_run = score_submission(problem, [AC, None, None])
    assert (not_run.verdict, not_run.score) == (WA, 1)  # below the full score is never AC


def test_a_pass_fail_problem_has_no_score_groups(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", {"problem.yaml": "name: P\n", **cases("sample/1")}))
    assert problem.scoring == ()
