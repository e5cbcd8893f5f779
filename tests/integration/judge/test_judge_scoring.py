"""Scoring packages (`type: scoring`) judged for real: every test runs, groups add up, and the
score with its per-group breakdown is in the verdict."""

from pathlib import Path

from arena.problems.importing import read_problem_dir
from arena.problems.verify_report import verify_package

from judge_helpers import judged

# Double the number; the "small" solution is right only below 1000.
FULL = "print(2 * int(input()))\n"
SMALL_ONLY = "n = int(input())\nprint(2 * n if n < 1000 else 0)\n"
DATA = {"data/sample/1.in": "1\n", "data/sample/1.ans": "2\n",
        "data/secret/small/1.in": "3\n", "data/secret/small/1.ans": "6\n",
        "data/secret/small/2.in": "5\n", "data/secret/small/2.ans": "10\n",
        "data/secret/large/1.in": "5000\n", "data/secret/large/1.ans": "10000\n",
        "data/secret/large/2.in": "7\n", "data/secret/large/2.ans": "14\n"}
# Accepts an answer within 0.01 (and reports what it got), as problem setters write them.
CLOSE_ENOUGH = r"""import sys
want = float(open(sys.argv[2]).read())
got = float(sys.stdin.read() or "nan")
if abs(got - want) <= 0.01:
    sys.exit(42)
open(sys.argv[3] + "judgemessage.txt", "w").write(f"got {got}")
sys.exit(43)
"""


def package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


async def test_a_legacy_scoring_package_scores_each_group_only_if_every_case_in_it_passes(
        judge, tmp_path):
    root = package(tmp_path / "double", {
        "problem.yaml": "name: Double\ntype: scoring\nlimits:\n  time_limit: 1\n", **DATA,
        "data/testdata.yaml": "grader_flags: ignore_sample\non_reject: continue\n",
        "data/secret/testdata.yaml": "on_reject: continue\n",
        "data/secret/small/testdata.yaml": "accept_score: 40\ngrader_flags: min\n",
        "data/secret/large/testdata.yaml": "accept_score: 60\ngrader_flags: min\n",
        "submissions/accepted/full.py": FULL, "submissions/wrong_answer/small.py": SMALL_ONLY})
    read = read_problem_dir(root)

    partial = await judged(judge, "python", SMALL_ONLY, read.problem)
    full = await judged(judge, "python", FULL, read.problem)
    verification = await verify_package(judge, read)

    assert (partial.verdict, partial.score, partial.max_score) == ("WA", 40, 100), partial.model_dump()
    assert len(partial.tests) == 5  # every test ran: a score needs them all
    assert {g.group: g.score for g in partial.groups} == {"secret/small": 40, "secret/large": 0, "secret": 40}
    assert (full.verdict, full.score) == ("AC", 100)
    assert [(row.expected, row.got, row.score) for row in verification.rows] == [
        ("AC", "AC", 100), ("WA", "WA", 40)]
    assert "score 40" in verification.rows[1].line()


async def test_a_2023_scoring_package_with_a_float_tolerant_validator_adds_pass_fail_groups(
        judge, tmp_path):
    problem = read_problem_dir(package(tmp_path / "double", {
        "problem.yaml": "problem_format_version: 2023-07-draft\nname: Double\ntype: scoring\n"
                        "limits:\n  time_limit: 1\n", **DATA,
        "data/testdata.yaml": "grader_flags: ignore_sample\non_reject: continue\n",
        "data/secret/testdata.yaml": "on_reject: continue\n",
        "data/secret/small/test_group.yaml": "max_score: 30\nscore_aggregation: pass-fail\n",
        "data/secret/large/test_group.yaml": "max_score: 70\nscore_aggregation: pass-fail\n",
        "output_validator/close.py": CLOSE_ENOUGH})).problem

    nearly = await judged(judge, "python", "n = int(input())\nprint(2 * n + (0.001 if n < 1000 else 1))\n",
                          problem)

    assert (nearly.verdict, nearly.score, nearly.max_score) == ("WA", 30, 100), nearly.model_dump()
    # tests in path order: sample/1, secret/large/1, secret/large/2, secret/small/1, secret/small/2
    assert [t.verdict for t in nearly.tests] == ["AC", "WA", "AC", "AC", "AC"]
    assert nearly.tests[1].feedback == "got 10001.0"
