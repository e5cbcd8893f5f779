"""The judge's side of the supervisor protocol (see supervisor.c): encode a job, decode reports.

Shared by every backend, so bwrap and docker run exactly the same supervisor.
"""

from __future__ import annotations

import asyncio
import math
import struct

from arena.judge.sandbox import Job, Report, SandboxError, Step, StepReport

JOB_TAG = b"arena-job-2"  # must match supervisor.c
SANDBOX_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
STDERR_CAPTURE = 8 * 1024  # enough for a traceback or a memory error marker; the rest is noise
MB = 1024 * 1024
# kind, flags, exit code, signal, cpu us, wall us, max rss kB, stdout length, stderr length
HEADER = struct.Struct("<IIiiqqqQQ")
KINDS = {0: "compile", 1: "test", 2: "done"}
EXITED, SIGNALLED, TIMED_OUT, OUTPUT_LIMIT = 1, 2, 4, 8


def rlimits(step: Step) -> dict[str, tuple[int, int]]:
    """(soft, hard) per resource name (supervisor.c knows the names)."""
    cpu = math.ceil(step.time_limit_ms / 1000) + 1
    limits = {
        "CPU": (cpu, cpu + 1),  # SIGXCPU at the soft limit, SIGKILL a second later if ignored
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
    return {name: value if isinstance(value, tuple) else (value, value)
            for name, value in limits.items()}


def encode_step(step: Step, uid: int, gid: int) -> list[object]:
    """A step's fields, in supervisor.c's order."""
    env = [f"{key}={value}" for key, value in SANDBOX_ENV.items()]
    limits = rlimits(step)
    return [uid, gid, step.wall_limit_ms, step.time_limit_ms, step.memory_mb * 1024,
            step.output_cap_bytes, step.capture_bytes or step.output_cap_bytes, STDERR_CAPTURE,
            int(step.merge_stderr), len(step.argv), *step.argv, len(env), *env, len(limits),
            *(field for name, (soft, hard) in limits.items() for field in (name, soft, hard))]


def encode_job(job: Job, uid: int, gid: int) -> list[bytes]:
    """The job as chunks to write to the supervisor's stdin, in order."""
    header = [JOB_TAG, job.source_name, len(job.source), int(job.stop_on_failure),
              len(job.inputs), *(len(data) for data in job.inputs),
              int(job.compile is not None)]
    if job.compile:
        header += encode_step(job.compile, uid, gid)
    header += encode_step(job.run, uid, gid)
    return [record(header), job.source, *job.inputs]


def record(fields: list[object]) -> bytes:
    """8 ASCII digits of length, then NUL-terminated fields (bytes, or str/int as text)."""
    encoded = [f if isinstance(f, bytes) else str(f).encode() for f in fields]
    if any(b"\0" in f for f in encoded):
        raise ValueError("a job field contains a NUL byte")
    data = b"".join(f + b"\0" for f in encoded)
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
            header = HEADER.unpack(await stdout.readexactly(HEADER.size))
            kind, report = decode_header(header)
            if kind == "done":
                return compiled, tests
            out = await stdout.readexactly(header[7])
            err = await stdout.readexactly(header[8])
        except asyncio.IncompleteReadError as exc:
            raise SandboxError(f"supervisor ended without a 'done' record ({exc!r})") from None
        report = StepReport(**report, stdout=out, stderr=err)
        if kind == "compile":
            compiled = report
        else:
            tests.append(report)


def decode_header(header: tuple) -> tuple[str, dict]:
    """(step kind, StepReport fields but the output) from one report header."""
    kind, flags, exit_code, signal, cpu_us, wall_us, maxrss_kb, _, _ = header
    if kind not in KINDS or flags >= 16 or bool(flags & EXITED) and bool(flags & SIGNALLED):
        raise SandboxError(f"malformed supervisor record: {header!r}")
    return KINDS[kind], {
        "exit_code": exit_code if flags & EXITED else None,
        "signal": signal if flags & SIGNALLED else None,
        "cpu_ms": cpu_us / 1000,
        "wall_ms": wall_us / 1000,
        "maxrss_kb": maxrss_kb,
        "timed_out": bool(flags & TIMED_OUT),
        "output_limit": bool(flags & OUTPUT_LIMIT),
    }


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
