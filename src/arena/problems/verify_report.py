"""Verify a package as problemtools does: every submission under submissions/<verdict>/ is
judged and must get the verdict its folder names; the report lists expected vs got per file.

The time limit is the package's, or derived from the accepted submissions first (verify.py).
Accepted submissions are not judged twice: their measuring run under the generous limit is
their result, as the derived limit is above each of their times by construction. A
time_limit_exceeded submission must time out even at the limit x the safety margin; one that
times out only at the limit itself passes with a warning (problemtools' "sensitive to time
limit"). Every other folder is judged at the limit; one that times out there but gets its
verdict at the limit x the margin passes with a warning (problemtools' "OK with extra time").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from arena.judge.worker import Judge, JudgeRequest, JudgeResult
from arena.problems.expectations import ExpectedSubmission
from arena.problems.kattis import KattisPackage
from arena.problems.model import TIME_LIMIT_MS, Problem
from arena.problems.verify import Derivation, derive_time_limit


@dataclass(frozen=True)
class Row:
    path: str
    expected: str
    got: str
    time_ms: int
    score: float | None = None

    @property
    def ok(self) -> bool:
        return self.got != "AC" if self.expected == "rejected" else self.got == self.expected

    def line(self) -> str:
        score = f", score {self.score:g}" if self.score is not None else ""
        return (f"{self.path}: expected {self.expected}, got {self.got} "
                f"({self.time_ms / 1000:.3f} s{score}) {'ok' if self.ok else 'MISMATCH'}")


@dataclass
class Verification:
    problem: Problem  # with the time limit verified (derived or the package's)
    derivation: Derivation | None
    rows: list[Row] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Row]:
        return [row for row in self.rows if not row.ok]


async def verify_package(judge: Judge, package: KattisPackage) -> Verification:
    derivation = None
    if package.time_rule is not None:
        derivation = await derive_time_limit(judge, package, check_too_slow=False)
    problem = derivation.problem if derivation else package.problem
    verification = Verification(problem, derivation)
    margin = package.rule.safety_margin if package.rule else 1.0
    strict = problem.model_copy(update={"time_limit_ms": min(round(problem.time_limit_ms * margin),
                                                             TIME_LIMIT_MS[1])})
    for item in package.expected:
        path = item.submission.path
        if derivation is not None and path in derivation.times:
            verification.rows.append(Row(path, item.expected, "AC", derivation.times[path]))
            continue
        if item.expected == "TLE":
            result = await _judged(judge, item, strict)
            if result.verdict != "TLE":
                at_limit = await _judged(judge, item, problem)
                if at_limit.verdict == "TLE":
                    verification.warnings.append(
                        f"{path}: sensitive to the time limit: TLE at {problem.time_limit_ms / 1000:g} s, "
                        f"{result.verdict.value} at {strict.time_limit_ms / 1000:g} s (x the safety "
                        f"margin {margin:g})")
                    result = at_limit
        else:
            result = await _judged(judge, item, problem)
            if not item.matches(result.verdict.value) and result.verdict == "TLE":
                # problemtools: "OK with extra time" when it gets its verdict within the margin
                extra = await _judged(judge, item, strict)
                if item.matches(extra.verdict.value):
                    verification.warnings.append(
                        f"{path}: sensitive to the time limit: TLE at {problem.time_limit_ms / 1000:g} s, "
                        f"{extra.verdict.value} at {strict.time_limit_ms / 1000:g} s (ok with extra time)")
                    result = extra
        verification.rows.append(Row(path, item.expected, result.verdict.value, result.time_ms,
                                     result.score))
    return verification


async def _judged(judge: Judge, item: ExpectedSubmission, problem: Problem) -> JudgeResult:
    return await judge.judge(JudgeRequest(submission_id=item.submission.path, problem=problem,
                                          language=item.submission.language,
                                          source=item.submission.source))
