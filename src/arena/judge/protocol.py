"""The judge's side of the supervisor protocol (see supervisor.py): encode a job, decode reports.

Shared by every backend, so bwrap and docker run exactly the same supervisor.
"""

from __future__ import annotations

import asyncio
import marshal
import math
from pathlib import Path

from arena.judge.sandbox import Job, Report, SandboxError, Step, StepReport

SUPERVISOR = Path(__file__).with_name("supervisor.py")
SANDBOX_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
STDERR_CAPTURE = 8 * 1024  # enough for a traceback or a memory error marker; the rest is noise
MB = 1024 * 1024


def rlimits(step: Step) -> dict[str, int]:
    limits = {
        "CPU": math.ceil(step.time_limit_ms / 1000) + 1,
        "FSIZE": step.output_cap_bytes,
        "NOFILE": step.open_files,
        "NPROC": step.processes,
        "STACK": step.memory_mb * MB,
        "CORE": 0,
    }
    if step.address_space_limit:
        # Headroom over the limit, so a growing program shows ru_maxrss > limit (MLE) before
        # an allocation fails in a way that would look like a plain crash (RE).
        limits["AS"] = (step.memory_mb * 3 // 2 + 16) * MB
    return limits


def encode_step(step: Step, uid: int, gid: int) -> dict:
    return {
        "argv": list(step.argv),
        "env": SANDBOX_ENV,
        "uid": uid,
        "gid": gid,
        "rlimits": rlimits(step),
        "wall_ms": step.wall_limit_ms,
        "time_limit_ms": step.time_limit_ms,
        "memory_kb": step.memory_mb * 1024,
        "output_cap": step.output_cap_bytes,
        "capture": step.capture_bytes or step.output_cap_bytes,
        "stderr_capture": STDERR_CAPTURE,
        "merge_stderr": step.merge_stderr,
    }


def encode_job(job: Job, uid: int, gid: int) -> list[bytes]:
    """The job as chunks to write to the supervisor's stdin, in order."""
    header = {
        "source_name": job.source_name,
        "source_len": len(job.source),
        "input_lens": [len(data) for data in job.inputs],
        "compile": encode_step(job.compile, uid, gid) if job.compile else None,
        "run": encode_step(job.run, uid, gid),
        "stop_on_failure": job.stop_on_failure,
    }
    return [record(header), job.source, *job.inputs]


def record(values: dict) -> bytes:
    """A record of the supervisor protocol: 8 ASCII digits of length, then marshal'ed values."""
    data = marshal.dumps(values)
    return b"%08d" % len(data) + data


def deadline_s(job: Job) -> float:
    """The longest a correct supervisor can take; past it the session is killed (IE)."""
    total = job.run.wall_limit_ms * len(job.inputs)
    if job.compile:
        total += job.compile.wall_limit_ms
    return total / 1000 + 10.0


async def read_reports(stdout: asyncio.StreamReader) -> tuple[StepReport | None, list[StepReport]]:
    compiled: StepReport | None = None
    tests: list[StepReport] = []
    while True:
        try:
            size = int(await stdout.readexactly(8))
            header = marshal.loads(await stdout.readexactly(size))
            out = await stdout.readexactly(header.pop("stdout_len"))
            err = await stdout.readexactly(header.pop("stderr_len"))
        except asyncio.IncompleteReadError as exc:
            raise SandboxError(f"supervisor ended without a 'done' record ({exc!r})") from None
        except (ValueError, KeyError, EOFError, TypeError) as exc:
            raise SandboxError(f"malformed supervisor record: {exc!r}") from None
        step = header.pop("step")
        if step == "done":
            return compiled, tests
        header.pop("index", None)
        report = StepReport(**header, stdout=out, stderr=err)
        if step == "compile":
            compiled = report
        else:
            tests.append(report)


async def feed(stdin: asyncio.StreamWriter, chunks: list[bytes]) -> None:
    """Write the job; the supervisor may stop reading early (first failing test): that is fine."""
    try:
        for chunk in chunks:
            stdin.write(chunk)
            await stdin.drain()
        stdin.close()
    except (BrokenPipeError, ConnectionResetError):
        pass


def as_report(compiled: StepReport | None, tests: list[StepReport], oom_killed: bool) -> Report:
    return Report(compile=compiled, tests=tuple(tests), oom_killed=oom_killed)
