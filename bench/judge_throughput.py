"""Judge throughput: verdicts per second for a small accepted 10-test solution on one worker.

Fires SUBMISSIONS at a Judge with 2 slots (bwrap, warm sessions) and prints verdicts/s (goal
>= 20/s on 2 cores) next to the same work done bare here (compile once, run the 10 tests as
plain subprocesses, 2 at a time) and the ratio; then the verdicts/s of the same sum as an
interactive problem (a Python interactor sends each test's two numbers over the pipes and checks
the answer: two sessions per submission). Run as root: `python bench/judge_throughput.py`.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from arena.judge.languages import SANDBOX_PATH, detect_languages  # noqa: E402
from arena.bootstrap import make_sandbox  # noqa: E402
from arena.judge.worker import Judge, JudgeRequest  # noqa: E402
from arena.problems.model import OutputValidator, Problem, TestCase, ValidatorFile  # noqa: E402

SLOTS = 2
SUBMISSIONS = 60
PROBLEM = Problem(title="Sum", slug="sum", tests=tuple(
    TestCase(input=f"{i} {i}\n", output=f"{2 * i}\n") for i in range(10)))
INTERACTOR = """import sys
a, b = open(sys.argv[1]).read().split()
print(a, b, flush=True)
sys.exit(42 if sys.stdin.readline().split() == [str(int(a) + int(b))] else 43)
"""
INTERACTIVE = PROBLEM.model_copy(update={"interactive": True, "output_validator": OutputValidator(
    files=(ValidatorFile(name="interact.py", text=INTERACTOR),))})
SOURCES = {
    "c": '#include <stdio.h>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}\n',
    "python": "a, b = map(int, input().split())\nprint(a + b)\n",
}


async def sandboxed(judge: Judge, language: str, problem: Problem = PROBLEM) -> float:
    requests = [JudgeRequest(submission_id=f"{language}-{i}", language=language,
                             source=SOURCES[language] + ("//" if language == "c" else "#") + f" {i}\n",
                             problem=problem) for i in range(SUBMISSIONS)]
    started = time.perf_counter()
    results = await asyncio.gather(*(judge.judge(r) for r in requests))
    elapsed = time.perf_counter() - started
    assert all(r.verdict == "AC" for r in results), {r.verdict for r in results}
    return SUBMISSIONS / elapsed


async def run(argv: list[str], data: bytes, cwd: Path) -> bytes:
    proc = await asyncio.create_subprocess_exec(*argv, cwd=cwd, stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate(data)
    assert proc.returncode == 0
    return out


async def bare_one(language: str, slots: asyncio.Semaphore) -> None:
    async with slots:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            python = shutil.which("python3", path=SANDBOX_PATH)
            if language == "c":
                (work / "main.c").write_text(SOURCES["c"])
                await run(["gcc", "-std=gnu17", "-O2", "-pipe", "-o", "main", "main.c", "-lm"], b"", work)
                argv = ["./main"]
            else:
                (work / "main.py").write_text(SOURCES["python"])
                await run([python, "-m", "py_compile", "main.py"], b"", work)
                argv = [python, "main.py"]
            for case in PROBLEM.all_tests:
                out = await run(argv, case.input.encode(), work)
                assert out.split() == case.output.encode().split()


async def bare(language: str) -> float:
    slots = asyncio.Semaphore(SLOTS)
    started = time.perf_counter()
    await asyncio.gather(*(bare_one(language, slots) for _ in range(SUBMISSIONS)))
    return SUBMISSIONS / (time.perf_counter() - started)


async def main() -> None:
    judge = Judge(make_sandbox("bwrap", warm=SLOTS, cgroup_parent="arena-judge-bench"),
                  slots=SLOTS, languages=detect_languages())
    print(f"{SUBMISSIONS} submissions x 10 tests, {SLOTS} slots")
    print(f"{'language':<8} {'sandboxed verdicts/s':>21} {'bare verdicts/s':>16} {'ratio':>7}")
    for language in ("c", "python"):
        await sandboxed(judge, language)  # warm-up: page cache, spare sessions
        s = await sandboxed(judge, language)
        b = await bare(language)
        print(f"{language:<8} {s:>21.1f} {b:>16.1f} {s / b:>6.2f}x")
    print(f"{'interactive':<12} {'sandboxed verdicts/s':>21}")
    for language in ("c", "python"):
        await sandboxed(judge, language, INTERACTIVE)  # warm-up, and the interactor's build
        print(f"{language:<12} {await sandboxed(judge, language, INTERACTIVE):>21.1f}")
    await judge.close()


if __name__ == "__main__":
    asyncio.run(main())
