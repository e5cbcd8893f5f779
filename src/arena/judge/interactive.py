"""Interactive problems: the submission and the problem's validator (the interactor) run at
once, in two sandbox sessions of their own, connected by a pair of named pipes per test.

The pipes live in a host folder bound into both sessions at /io (Job.channel): the submission
reads /io/<test>/to_sub and writes /io/<test>/from_sub, the validator (validator_shim.py) the
other ends. Both sides open them in the same order, so neither blocks the other. Each side
runs under its own limits; a submission that stops reading or never flushes blocks on its pipe
until its wall-clock limit, so it gets TLE, and the judge never hangs on it.

When one session ends (all its tests run, or stopped at a failure), the other may be waiting
on a pipe nobody will open again: `_release` opens and closes each end without blocking until
that session ends too, which gives the waiting side an end of file (or a broken pipe).

Verdict per test, the format's rules as problemtools applies them: the validator failing (not
42/43) is IE; a WA the validator gave while the submission still ran is WA (even if the
submission then timed out); else the submission's own run (MLE, TLE, RE) decides; else the
validator's verdict.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import replace

from arena.judge.languages import Language
from arena.judge.output_validator import (MEMORY_MB, MESSAGE_CAP, VALIDATE_TIME_MS, Outcome,
                                          ValidatorCache, ValidatorError, command, outcomes)
from arena.judge.runner import JudgeResult, TestResult, build_job, compile_output_of
from arena.judge.sandbox import Job, Report, Sandbox, Step
from arena.judge.verdicts import Verdict, compile_failed, overall_verdict, run_verdict
from arena.problems.model import OutputValidator, Problem

INSIDE = "/io"
RELEASE_EVERY_S = 0.02
MB = 1024 * 1024
# The test's index arrives on stdin (the supervisor gives each test one); then the pipes.
WIRE = f'read i && exec "$@" <"{INSIDE}/$i/to_sub" >"{INSIDE}/$i/from_sub"'
_ENDS = (("to_sub", os.O_WRONLY), ("to_sub", os.O_RDONLY), ("from_sub", os.O_RDONLY),
         ("from_sub", os.O_WRONLY))


def submission_job(language: Language, source: str, problem: Problem, compile_time_ms: int,
                   folder: str) -> Job:
    job = build_job(language, source, problem, compile_time_ms)
    run = replace(job.run, argv=("sh", "-c", WIRE, "sh", *job.run.argv))
    return replace(job, run=run, inputs=tuple(b"%d\n" % i for i in range(len(problem.all_tests))),
                   channel=(folder, INSIDE))


def interactor_job(program: bytes, validator: OutputValidator, problem: Problem, folder: str,
                   waits_ms: int) -> Job:
    """waits_ms: how long the validator may wait for the submission (its compile and run)."""
    bundles = tuple(b"%d %d %d\n" % (i, len(given), len(answer)) + given + answer
                    for i, (given, answer) in enumerate((t.input.encode(), t.output.encode())
                                                        for t in problem.all_tests))
    # -S: the shim needs the standard library only; site (and its .pth files) costs ~35 ms a test
    run = Step(argv=("python3", "-S", "validator.zip", "--interactive", *command(validator), "--",
                     *validator.flags),
               time_limit_ms=VALIDATE_TIME_MS, wall_limit_ms=waits_ms + 2 * VALIDATE_TIME_MS,
               memory_mb=MEMORY_MB, address_space_limit=True,
               output_cap_bytes=64 * MB + max((len(b) for b in bundles), default=0),
               capture_bytes=MESSAGE_CAP)
    return Job(language="validator", source_name="validator.zip", source=program, compile=None,
               run=run, inputs=bundles, channel=(folder, INSIDE))


async def judge_interactive(sandbox: Sandbox, language: Language, submission_id: str, source: str,
                            problem: Problem, compile_time_ms: int,
                            validators: ValidatorCache) -> JudgeResult:
    validator = problem.output_validator
    try:
        program = await validators.program(validator, sandbox)
    except ValidatorError as exc:
        return JudgeResult(submission_id=submission_id, verdict=Verdict.IE, detail=str(exc)[:2000])
    with tempfile.TemporaryDirectory(prefix="arena-io-") as folder:
        held = _make_pipes(folder, len(problem.all_tests))
        sub_job = submission_job(language, source, problem, compile_time_ms, folder)
        waits_ms = (sub_job.compile.wall_limit_ms if sub_job.compile else 0) + sub_job.run.wall_limit_ms
        sides = [asyncio.create_task(sandbox.execute(sub_job)),
                 asyncio.create_task(sandbox.execute(
                     interactor_job(program, validator, problem, folder, waits_ms)))]
        release = None
        try:
            await asyncio.wait(sides, return_when=asyncio.FIRST_COMPLETED)
            release = asyncio.create_task(_release(folder, len(problem.all_tests)))
            await asyncio.wait(sides)
        finally:
            for task in (*sides, release):
                if task is not None and not task.done():
                    task.cancel()
            for fd in held:
                os.close(fd)
        submission, interactor = sides[0].result(), sides[1].result()  # SandboxError: IE
    return grade_interactive(submission_id, problem, submission, outcomes(interactor))


def grade_interactive(submission_id: str, problem: Problem, report: Report,
                      checked: list[Outcome]) -> JudgeResult:
    compile_output = compile_output_of(report)
    if compile_failed(report.compile):
        return JudgeResult(submission_id=submission_id, verdict=Verdict.CE,
                           compile_output=compile_output)
    results, detail = [], ""
    for index, run in enumerate(report.tests):
        if index >= len(checked):
            detail = "the interactor stopped before the submission did"
            verdict, message = Verdict.IE, ""
        else:
            verdict, message = _test_verdict(run, checked[index], problem, report.oom_killed)
            if verdict is Verdict.IE:
                detail, message = message, ""
        results.append(TestResult(index=index, verdict=verdict, time_ms=round(run.cpu_ms),
                                  memory_kb=run.maxrss_kb, exit_code=run.exit_code,
                                  signal=run.signal, feedback=message))
        if verdict is not Verdict.AC:
            break
    verdicts = [r.verdict for r in results]
    if len(results) < len(problem.all_tests) and all(v is Verdict.AC for v in verdicts):
        return JudgeResult(submission_id=submission_id, verdict=Verdict.IE, tests=results,
                           detail="the sandbox reported fewer tests than it was given")
    return JudgeResult(submission_id=submission_id, verdict=overall_verdict(False, verdicts),
                       compile_output=compile_output, tests=results,
                       time_ms=max((r.time_ms for r in results), default=0),
                       memory_kb=max((r.memory_kb for r in results), default=0), detail=detail)


def _test_verdict(run, outcome: Outcome, problem: Problem, oom_killed: bool) -> tuple[Verdict, str]:
    if outcome.verdict is Verdict.IE or outcome.verdict is Verdict.WA and outcome.validator_first:
        return outcome.verdict, outcome.message
    verdict = run_verdict(run, time_limit_ms=problem.time_limit_ms, memory_mb=problem.memory_mb,
                          oom_killed=oom_killed)
    return (verdict, "") if verdict is not None else (outcome.verdict, outcome.message)


def _make_pipes(folder: str, tests: int) -> list[int]:
    """The pipes, and a read end of each to_sub that the judge holds (and never reads) for the
    whole run, as problemtools' runner does: a submission that exits early must not kill the
    validator with SIGPIPE, only give it an end of file on its next read."""
    os.chmod(folder, 0o755)  # the sessions' uids traverse it; the pipes are 0666
    held = []
    for index in range(tests):
        os.mkdir(f"{folder}/{index}", 0o755)
        for name in ("to_sub", "from_sub"):
            os.mkfifo(f"{folder}/{index}/{name}")
            os.chmod(f"{folder}/{index}/{name}", 0o666)
        held.append(os.open(f"{folder}/{index}/to_sub", os.O_RDONLY | os.O_NONBLOCK))
    return held


async def _release(folder: str, tests: int) -> None:
    """Until cancelled: open and close every end of every pipe without blocking, so a side
    whose partner is gone gets end of file or a broken pipe instead of waiting forever."""
    while True:
        for index in range(tests):
            for name, mode in _ENDS:
                try:
                    os.close(os.open(f"{folder}/{index}/{name}", mode | os.O_NONBLOCK))
                except OSError:
                    pass  # ENXIO: nobody reads this pipe now; nothing to release
        await asyncio.sleep(RELEASE_EVERY_S)
