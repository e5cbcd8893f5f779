"""The one small interface every sandbox backend implements, and the types it speaks.

A backend takes a whole submission (source, optional compile step, run step, every test input)
and runs it in ONE isolated session: set-up costs are paid once per submission, not per test.
It returns raw facts (exit codes, times, memory, captured output); verdicts are decided by the
caller, outside the sandbox, where the expected answers live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Step:
    """One command to run inside the session, with the limits it runs under."""

    argv: tuple[str, ...]
    time_limit_ms: int
    wall_limit_ms: int
    memory_mb: int
    address_space_limit: bool  # False for runtimes that reserve huge virtual memory (JVM, V8)
    output_cap_bytes: int
    processes: int = 128  # threads count too (JVM, node)
    open_files: int = 256
    merge_stderr: bool = False  # compilers: one stream, read by the player as the CE message
    capture_bytes: int | None = None  # how much stdout comes back; None: all of it (to compare)


@dataclass(frozen=True)
class Job:
    language: str
    source_name: str
    source: bytes
    compile: Step | None
    run: Step
    inputs: tuple[bytes, ...]
    binds: tuple[tuple[str, str], ...] = ()  # (host path, sandbox path), read-only toolchains
    stop_on_failure: bool = True
    # (host folder, sandbox path) bound for this job only: the pipes of an interactive run
    # (interactive.py). A session with one is started for the job, never taken from the spares.
    channel: tuple[str, str] | None = None


@dataclass(frozen=True)
class StepReport:
    exit_code: int | None
    signal: int | None
    cpu_ms: float
    wall_ms: float
    maxrss_kb: int
    timed_out: bool
    output_limit: bool
    stdout: bytes = b""
    stderr: bytes = b""

    @property
    def finished_cleanly(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.output_limit


@dataclass(frozen=True)
class Report:
    compile: StepReport | None
    tests: tuple[StepReport, ...]
    oom_killed: bool = False  # the session's memory cgroup/container killed something
    notes: dict[str, Any] = field(default_factory=dict)


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the player's program): the verdict is IE."""


class Sandbox(Protocol):
    name: str

    async def execute(self, job: Job) -> Report: ...

    async def close(self) -> None: ...
