"""Import verifies a package as problemtools does: each submission under submissions/<verdict>/
is judged in the real sandbox and must get the verdict its folder names."""

from pathlib import Path

from arena.problems.importing import read_problem_dir
from arena.problems.verify_report import verify_package

C_SPIN = "int main(void) { volatile unsigned long x = 0; for (;;) x++; }\n"
SUM_DATA = {"data/sample/1.in": "1 2\n", "data/sample/1.ans": "3\n",
            "data/secret/1.in": "20 22\n", "data/secret/1.ans": "42\n"}
SUBMISSIONS = {
    "submissions/accepted/sum.py": "a, b = map(int, input().split())\nprint(a + b)\n",
    "submissions/wrong_answer/off_by_one.py": "a, b = map(int, input().split())\nprint(a + b + 1)\n",
    "submissions/time_limit_exceeded/spin.c": C_SPIN,
    "submissions/run_time_error/crash.py": "raise SystemExit(3)\n",
    "submissions/memory_limit_exceeded/hog.py": "x = bytearray(400 * 1024 * 1024)\nx[::4096] = b'1' * len(x[::4096])\n",
    "submissions/brute_force/slow.py": "print(3)\n",
}


def package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


async def test_every_submission_folder_gets_the_verdict_it_names_with_a_derived_time_limit(
        judge, tmp_path):
    root = package(tmp_path / "sum", {
        "problem.yaml": "problem_format_version: 2023-07-draft\nname: Sum\nlimits:\n  memory: 128\n",
        **SUM_DATA, **SUBMISSIONS})
    read = read_problem_dir(root)
    assert any("submissions/brute_force" in part for part in read.ignored)

    verification = await verify_package(judge, read)

    got = {row.path.split("/")[1]: (row.expected, row.got) for row in verification.rows}
    assert got == {"accepted": ("AC", "AC"), "wrong_answer": ("WA", "WA"),
                   "time_limit_exceeded": ("TLE", "TLE"), "run_time_error": ("RE", "RE"),
                   "memory_limit_exceeded": ("MLE", "MLE")}, verification.rows
    assert verification.mismatches == [] and verification.derivation is not None
    assert verification.problem.time_limit_ms == 1000  # 2 x a few ms, rounded up to a second


async def test_a_submission_in_the_wrong_folder_is_a_mismatch_in_the_report(judge, tmp_path):
    root = package(tmp_path / "mislabelled", {
        "problem.yaml": "name: Sum\nlimits:\n  time_limit: 1\n", **SUM_DATA,
        "submissions/accepted/sum.py": SUBMISSIONS["submissions/accepted/sum.py"],
        "submissions/wrong_answer/actually_right.py": SUBMISSIONS["submissions/accepted/sum.py"],
        "submissions/rejected/crash.py": "raise SystemExit(1)\n"})

    verification = await verify_package(judge, read_problem_dir(root))

    assert verification.derivation is None and verification.problem.time_limit_ms == 1000
    [mismatch] = verification.mismatches
    assert (mismatch.path, mismatch.expected, mismatch.got) == (
        "submissions/wrong_answer/actually_right.py", "WA", "AC")
    assert "MISMATCH" in mismatch.line()
    rejected = next(row for row in verification.rows if row.expected == "rejected")
    assert rejected.got == "RE" and rejected.ok


C_SLOW_WRONG = r"""#include <stdio.h>
#include <time.h>
int main(void) {
    volatile unsigned long spin = 0;
    while (clock() < 13 * CLOCKS_PER_SEC / 10) spin++;  /* ~1.3 s of CPU time */
    printf("0\n");
    return 0;
}
"""


async def test_a_wrong_answer_that_times_out_at_the_limit_is_ok_with_extra_time_and_warned(judge, tmp_path):
    root = package(tmp_path / "slow", {
        "problem.yaml": "name: Sum\nlimits:\n  time_limit: 1\n", **SUM_DATA,  # legacy margin: 2
        "submissions/accepted/sum.py": SUBMISSIONS["submissions/accepted/sum.py"],
        "submissions/wrong_answer/slow_and_wrong.c": C_SLOW_WRONG})

    verification = await verify_package(judge, read_problem_dir(root))

    assert verification.mismatches == [], verification.rows
    assert [row.got for row in verification.rows] == ["AC", "WA"]
    [warning] = verification.warnings
    assert "slow_and_wrong.c: sensitive to the time limit" in warning and "extra time" in warning
