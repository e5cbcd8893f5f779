"""Judge one submission: build the sandbox job, run it (compile once, every test in one session),
and turn the sandbox's facts into per-test and overall verdicts. Outputs are checked by the
default validator here, or by the problem's custom one in a session of its own."""

from __future__ import annotations

from dataclasses import replace

from pydantic import BaseModel

from arena.judge import output_validator
from arena.judge.compare import OutputRules, outputs_match
from arena.judge.languages import Language
from arena.judge.output_validator import Outcome, ValidatorCache, ValidatorError
from arena.judge.sandbox import Job, Report, Sandbox, Step
from arena.judge.scoring import GroupScore, score_submission
from arena.judge.verdicts import Verdict, compile_failed, overall_verdict, run_verdict
from arena.problems.model import Problem

COMPILE_TIME_MS = 20_000
COMPILE_MEMORY_MB = 1024
COMPILE_OUTPUT_CAP = 64 * 1024 * 1024  # executables are files too (FSIZE)
COMPILE_MESSAGE_CAP = 8 * 1024
OUTPUT_CAP = 16 * 1024 * 1024
SAMPLE_OUTPUT_CAP = 4 * 1024  # what a player is shown of their program's output on a sample test


class TestResult(BaseModel):
    __test__ = False  # not a pytest class

    index: int
    verdict: Verdict
    time_ms: int
    memory_kb: int
    exit_code: int | None = None
    signal: int | None = None
    feedback: str = ""  # the custom validator's judgemessage.txt, capped
    # The program's output, capped, on sample tests only: a hidden test's output would tell
    # players what the hidden tests hold.
    output: str | None = None


class JudgeResult(BaseModel):
    submission_id: str
    verdict: Verdict
    compile_output: str = ""
    tests: list[TestResult] = []
    time_ms: int = 0
    memory_kb: int = 0
    detail: str = ""  # why, for IE (an operator's message, not the player's fault)
    # A scoring problem's: the submission's score, the problem's maximum, and each test group's
    # (None and [] for a pass-fail problem). Old verdicts have none: the fields are additive.
    score: float | None = None
    max_score: float | None = None
    groups: list[GroupScore] = []


def build_job(language: Language, source: str, problem: Problem,
              compile_time_ms: int = COMPILE_TIME_MS) -> Job:
    tests = problem.all_tests
    biggest_answer = max((len(t.output.encode()) for t in tests), default=0)
    compile_step = None
    if language.compile:
        compile_step = Step(argv=language.compile_argv(source), time_limit_ms=compile_time_ms,
                            wall_limit_ms=compile_time_ms * 3 // 2, memory_mb=COMPILE_MEMORY_MB,
                            address_space_limit=False, output_cap_bytes=COMPILE_OUTPUT_CAP,
                            merge_stderr=True, capture_bytes=COMPILE_MESSAGE_CAP)
    run_step = Step(
        argv=language.run_argv(source, problem.memory_mb),
        time_limit_ms=problem.time_limit_ms,
        # Wall time guards sleeping and blocked programs; CPU time is what the limit measures.
        wall_limit_ms=2 * problem.time_limit_ms + 1000,
        memory_mb=problem.memory_mb,
        address_space_limit=language.address_space_limit,
        output_cap_bytes=max(OUTPUT_CAP, 2 * biggest_answer + 65536),
    )
    return Job(language=language.id, source_name=language.source_name(source), source=source.encode(),
               compile=compile_step, run=run_step, inputs=tuple(t.input.encode() for t in tests),
               binds=language.binds, stop_on_failure=not problem.scoring)  # a score needs every test


def output_rules(problem: Problem) -> OutputRules:
    """The default validator's flags; float_tolerance is both an absolute and a relative one."""
    tolerance = problem.float_tolerance
    return OutputRules(case_sensitive=problem.case_sensitive,
                       space_change_sensitive=problem.space_change_sensitive,
                       absolute_tolerance=problem.float_absolute_tolerance or tolerance,
                       relative_tolerance=problem.float_relative_tolerance or tolerance)


def compile_output_of(report: Report) -> str:
    """The compiler's message, as the player reads it."""
    if report.compile is None:
        return ""
    message = report.compile.stdout[:COMPILE_MESSAGE_CAP].decode(errors="replace")
    if report.compile.timed_out or report.compile.signal is not None:
        return (message + "\ncompilation stopped: over its time or memory limit").strip()
    return message


def grade(submission_id: str, problem: Problem, report: Report,
          checked: dict[int, Outcome] | None = None) -> JudgeResult:
    """checked: the custom validator's outcomes by test index, for the tests whose runs were
    clean (it stops at the first it does not accept, unless the problem is scored); None: the
    default validator decides."""
    compile_output = compile_output_of(report)
    if compile_failed(report.compile):
        return JudgeResult(submission_id=submission_id, verdict=Verdict.CE,
                           compile_output=compile_output)
    rules = output_rules(problem)
    results, detail = [], ""
    for index, (run, case) in enumerate(zip(report.tests, problem.all_tests)):
        verdict = run_verdict(run, time_limit_ms=problem.time_limit_ms, memory_mb=problem.memory_mb,
                              oom_killed=report.oom_killed)
        feedback = ""
        if verdict is None and checked is None:
            verdict = Verdict.AC if outputs_match(case.output.encode(), run.stdout, rules) else Verdict.WA
        elif verdict is None:
            if index not in checked:
                break  # the validator stopped at an earlier test
            verdict, feedback = checked[index].verdict, checked[index].message
            if verdict is Verdict.IE:
                detail, feedback = feedback, ""
        results.append(TestResult(index=index, verdict=verdict, time_ms=round(run.cpu_ms),
                                  memory_kb=run.maxrss_kb, exit_code=run.exit_code,
                                  signal=run.signal, feedback=feedback,
                                  output=_shown_output(run.stdout) if index < len(problem.samples) else None))
    verdicts = [r.verdict for r in results]
    if problem.scoring:
        scored = score_submission(problem, verdicts)
        return JudgeResult(submission_id=submission_id, verdict=scored.verdict,
                           compile_output=compile_output, tests=results,
                           time_ms=max((r.time_ms for r in results), default=0),
                           memory_kb=max((r.memory_kb for r in results), default=0), detail=detail,
                           score=scored.score, max_score=scored.max_score, groups=scored.groups)
    if len(results) < len(problem.all_tests) and all(v is Verdict.AC for v in verdicts):
        # The supervisor stops early only after a failure; an accepted prefix means it broke.
        return JudgeResult(submission_id=submission_id, verdict=Verdict.IE, tests=results,
                           detail="the sandbox reported fewer tests than it was given")
    return JudgeResult(
        submission_id=submission_id,
        verdict=overall_verdict(False, verdicts),
        compile_output=compile_output,
        tests=results,
        time_ms=max((r.time_ms for r in results), default=0),
        memory_kb=max((r.memory_kb for r in results), default=0),
        detail=detail,
    )


def _shown_output(stdout: bytes) -> str:
    return stdout[:SAMPLE_OUTPUT_CAP].decode(errors="replace")


async def validate_outputs(sandbox: Sandbox, validators: ValidatorCache, problem: Problem,
                           report: Report) -> dict[int, Outcome]:
    """The custom validator's outcomes by test index: for the clean runs before the first
    failed one, or for every clean run of a scored problem."""
    indices, cases = [], []
    for index, (run, case) in enumerate(zip(report.tests, problem.all_tests)):
        if run_verdict(run, time_limit_ms=problem.time_limit_ms, memory_mb=problem.memory_mb,
                       oom_killed=report.oom_killed) is not None:
            if problem.scoring:
                continue
            break
        indices.append(index)
        cases.append((case, run.stdout))
    if not cases:
        return {}
    validator = problem.output_validator
    program = await validators.program(validator, sandbox)
    job = output_validator.validation_job(program, validator, cases)
    if problem.scoring:
        job = replace(job, stop_on_failure=False)
    return dict(zip(indices, output_validator.outcomes(await sandbox.execute(job))))


async def judge_submission(
    sandbox: Sandbox, language: Language, submission_id: str, source: str, problem: Problem,
    compile_time_ms: int = COMPILE_TIME_MS, validators: ValidatorCache | None = None,
) -> JudgeResult:
    report = await sandbox.execute(build_job(language, source, problem, compile_time_ms))
    if problem.output_validator is None or compile_failed(report.compile):
        return grade(submission_id, problem, report)
    try:
        checked = await validate_outputs(sandbox, validators or ValidatorCache(), problem, report)
    except ValidatorError as exc:  # the problem's validator is broken: not the player's fault
        return JudgeResult(submission_id=submission_id, verdict=Verdict.IE, detail=str(exc)[:2000])
    return grade(submission_id, problem, report, checked)
