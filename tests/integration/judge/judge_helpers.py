"""Helpers shared by the judge's integration tests (imported by name: tests are not packages)."""

from __future__ import annotations

import os
from pathlib import Path

from arena.judge.worker import Judge, JudgeRequest, JudgeResult
from arena.problems.model import Problem, TestCase

# Per test process, so suites run concurrently on one machine never see each other's sandboxes.
SESSIONS = 8
UID_BASE = 100_000 + (os.getpid() % 50_000) * SESSIONS
CGROUP_PARENT = f"arena-judge-tests-{os.getpid()}"


def sum_problem(tests: int = 3, time_limit_ms: int = 1000, memory_mb: int = 128) -> Problem:
    """a + b, with `tests` hidden tests after one sample."""
    cases = tuple(TestCase(input=f"{i} {i + 1}\n", output=f"{2 * i + 1}\n") for i in range(tests))
    return Problem(title="Sum", slug="sum", time_limit_ms=time_limit_ms, memory_mb=memory_mb,
                   samples=(TestCase(input="1 2\n", output="3\n"),), tests=cases)


async def judged(judge: Judge, language: str, source: str, problem: Problem,
                 submission_id: str = "s") -> JudgeResult:
    return await judge.judge(JudgeRequest(submission_id=submission_id, language=language,
                                          source=source, problem=problem))


def leftover_sandbox_processes() -> list[str]:
    """Host processes still running as a sandbox uid: there must be none after a verdict."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        uid_line = next((line for line in text.splitlines() if line.startswith("Uid:")), "")
        uids = [int(u) for u in uid_line.split()[1:]]
        if any(UID_BASE <= uid < UID_BASE + SESSIONS for uid in uids):
            found.append(f"{status.parent.name}: {text.splitlines()[0]}")
    return found


async def leftover_session_cgroups(judge: Judge) -> list[str]:
    """Session cgroups beyond the warm spares, once the sandbox's teardowns are done."""
    spares = await judge.sandbox.settle()
    root = Path("/sys/fs/cgroup/pids") / CGROUP_PARENT
    names = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []
    return names[spares:] if len(names) > spares else []
