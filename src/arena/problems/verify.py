"""Derive a package's time limit by judging its submissions with the real judge, at import.

The accepted submissions run under a generous limit and must be accepted; the slowest one's CPU
time gives the limit (time_limit.py). The submissions that must be too slow are then judged
with the limit times the safety margin: one accepted there means the derived limit is too
lenient to tell them apart, which is reported (problemtools calls it an error; we warn and
still import, the operator decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arena.judge.worker import Judge, JudgeRequest
from arena.problems.errors import ProblemFormatError
from arena.problems.kattis import KattisPackage
from arena.problems.model import TIME_LIMIT_MS, Problem
from arena.problems.time_limit import derived_time_limit_ms

MEASURING_LIMIT_MS = 20_000  # per test, while the limit is not known yet


@dataclass
class Derivation:
    problem: Problem  # with the derived time limit
    slowest_ms: int
    slowest: str  # the submission's path in the package
    warnings: list[str] = field(default_factory=list)
    times: dict[str, int] = field(default_factory=dict)  # each accepted submission's CPU ms


async def derive_time_limit(judge: Judge, package: KattisPackage, *,
                            check_too_slow: bool = True) -> Derivation:
    rule = package.time_rule
    if rule is None:
        raise ValueError("the package sets its own time limit")
    if not package.accepted:
        raise ProblemFormatError("submissions/accepted", "no time limit in problem.yaml and no "
                                 "accepted submission to derive one from (or use --no-verify)")
    measuring = package.problem.model_copy(update={"time_limit_ms": MEASURING_LIMIT_MS})
    times = {}
    for submission in package.accepted:
        result = await judge.judge(JudgeRequest(submission_id=submission.path, problem=measuring,
                                                language=submission.language, source=submission.source))
        if result.verdict != "AC":
            why = result.detail or result.compile_output[:300]
            raise ProblemFormatError(submission.path, f"an accepted submission got {result.verdict.value}"
                                     + (f": {why}" if why else ""))
        times[submission.path] = result.time_ms
    slowest = max(times, key=times.__getitem__)
    limit_ms = derived_time_limit_ms(times[slowest], rule)
    derivation = Derivation(package.problem.model_copy(update={"time_limit_ms": limit_ms}),
                            times[slowest], slowest, times=times)
    if not check_too_slow:
        return derivation  # verify_package judges them, with every other folder
    margin_ms = min(round(limit_ms * rule.safety_margin), TIME_LIMIT_MS[1])
    strict = package.problem.model_copy(update={"time_limit_ms": margin_ms})
    for submission in package.too_slow:
        result = await judge.judge(JudgeRequest(submission_id=submission.path, problem=strict,
                                                language=submission.language, source=submission.source))
        if result.verdict == "AC":
            derivation.warnings.append(
                f"{submission.path}: a time_limit_exceeded submission is accepted within "
                f"{margin_ms / 1000:g} s (the limit x the safety margin {rule.safety_margin:g})")
    return derivation
