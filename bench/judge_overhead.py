"""Sandbox overhead: a 10-test submission run in one bwrap session vs the same 10 runs bare.

Prints, for a trivial C and a trivial Python program: the median time of the 10 runs in the
sandbox (the whole session minus its compile step: bwrap start, supervisor, cgroup set-up and
tear-down, per-test fork/limits/report) next to the same 10 runs as plain subprocesses here, the
ratio (goal <= 1.5x) and the overhead per test (goal <= 3 ms). Run as root: `python bench/judge_overhead.py`.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from arena.judge.languages import SANDBOX_PATH, detect_languages  # noqa: E402
from arena.judge.runner import build_job  # noqa: E402
from arena.bootstrap import make_sandbox  # noqa: E402
from arena.problems.model import Problem, TestCase  # noqa: E402

SANDBOX_PYTHON = shutil.which("python3", path=SANDBOX_PATH)  # the interpreter the sandbox runs
TESTS = 10
ROUNDS = 15
C_SOURCE = '#include <stdio.h>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}\n'
PY_SOURCE = "a, b = map(int, input().split())\nprint(a + b)\n"
PROBLEM = Problem(title="Sum", slug="sum", tests=tuple(
    TestCase(input=f"{i} {i}\n", output=f"{2 * i}\n") for i in range(TESTS)))


def bare_runs(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    for case in PROBLEM.all_tests:
        done = subprocess.run(argv, input=case.input.encode(), capture_output=True, cwd=cwd)
        assert done.stdout.decode().split() == case.output.split()
    return (time.perf_counter() - started) * 1000


async def sandboxed_runs(sandbox, language, source: str) -> tuple[float, float]:
    """(the session minus its compile step, the median per-test wall time inside), in ms."""
    await sandbox.settle()  # a warm session is waiting, as on a judge that is not saturated
    job = build_job(language, source, PROBLEM)
    started = time.perf_counter()
    report = await sandbox.execute(job)
    total = (time.perf_counter() - started) * 1000
    assert len(report.tests) == TESTS and all(t.exit_code == 0 for t in report.tests)
    inside = statistics.median(t.wall_ms for t in report.tests)
    return total - (report.compile.wall_ms if report.compile else 0.0), inside


async def main() -> None:
    languages = detect_languages()
    sandbox = make_sandbox("bwrap", cgroup_parent="arena-judge-bench")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "main.c").write_text(C_SOURCE)
        (work / "main.py").write_text(PY_SOURCE)
        subprocess.run(["gcc", "-O2", "-o", "main", "main.c"], cwd=work, check=True)
        print(f"{'program':<8} {'sandboxed ms':>13} {'bare ms':>9} {'ratio':>7} "
              f"{'per-test overhead':>18} {'one test inside':>16} {'one bare run':>13}")
        for name, lang_id, source, argv in (("C", "c", C_SOURCE, ["./main"]),
                                            ("Python", "python", PY_SOURCE, [SANDBOX_PYTHON, "main.py"])):
            sandboxed, inside, bare = [], [], []
            for _ in range(ROUNDS):  # interleaved, so background load hits both alike
                total, one = await sandboxed_runs(sandbox, languages[lang_id], source)
                sandboxed.append(total)
                inside.append(one)
                bare.append(bare_runs(argv, work))
            s, b = statistics.median(sandboxed), statistics.median(bare)
            i = statistics.median(inside)
            print(f"{name:<8} {s:>13.1f} {b:>9.1f} {s / b:>6.2f}x {(s - b) / TESTS:>15.2f} ms "
                  f"{i:>13.2f} ms {b / TESTS:>10.2f} ms")
    await sandbox.close()


if __name__ == "__main__":
    asyncio.run(main())
