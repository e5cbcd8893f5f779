"""What the API shows of submissions: their verdict in detail, a battle's list of them, their
source. Typed, so that the OpenAPI document carries the real shapes.

A sample test shows its input, its expected answer and the program's output (each capped);
a hidden test shows its verdict, time and memory only: its data would give the tests away.
A scoring problem's submission shows its score and each test group's (names and scores only, as
DOMjudge and Kattis show them; no test data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from arena.problems.model import Problem

SHOWN_CAP = 4 * 1024  # characters of a sample's input or answer (the output is capped by the judge)
Status = Literal["queued", "judged", "rejudging"]


class TestView(BaseModel):
    __test__ = False  # not a pytest class

    index: int = Field(description="0-based, samples first")
    sample: bool = Field(description="a sample test (its data is shown) or a hidden one (it is not)")
    verdict: str
    time_ms: int | None = Field(description="CPU time")
    memory_kb: int | None = Field(description="peak resident memory")
    input: str | None = Field(None, description="sample tests only, capped")
    expected: str | None = Field(None, description="sample tests only, capped")
    output: str | None = Field(None, description="the program's output; sample tests only, capped")


class GroupScoreView(BaseModel):
    group: str = Field(description="the test group's folder under data/, e.g. secret/group1")
    verdict: str = Field(description="the group's verdict (its worst test's, by default)")
    score: float
    max_score: float | None = Field(None, description="the group's score with every test accepted; null in "
                                                      "verdicts of judges that did not report it")


class SubmissionSummary(BaseModel):
    id: str
    battle_id: str
    user_id: str
    problem: str
    language: str
    status: Status
    verdict: str | None
    points: int | None
    received_at: datetime
    judged_at: datetime | None
    time_ms: int | None = Field(description="the slowest test's CPU time")
    memory_kb: int | None = Field(description="the largest test's peak memory")
    score: float | None = Field(None, description="a scoring problem's score (docs/problems.md); null for a "
                                                  "pass-fail problem or before the verdict")
    max_score: float | None = Field(None, description="the problem's full score; null as `score`")
    groups: list[GroupScoreView] | None = Field(None, description="each test group's score (names and "
                                                                  "scores only); null as `score`")


class SubmissionDetail(SubmissionSummary):
    room_player_id: str
    source_sha256: str
    compile_output: str | None = Field(description="the compiler's message, capped at 8 KiB; null before the "
                                                    "verdict or for an interpreted language")
    tests: list[TestView] = Field(description="the judged tests in order; the judge stops at the first "
                                              "failing one (of a scoring problem it runs every test)")


class SubmissionPage(BaseModel):
    rows: list[SubmissionSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class SourceView(BaseModel):
    id: str
    user_id: str
    problem: str
    language: str
    source_sha256: str
    source: str


def summary(row: dict[str, Any]) -> SubmissionSummary:
    return SubmissionSummary(**{name: row[name] for name in SubmissionSummary.model_fields})


def detail(row: dict[str, Any], problem: Problem | None) -> SubmissionDetail:
    """`problem`: the document the submission was judged against (None if it is gone: then
    no test shows data, as if none were a sample)."""
    samples = problem.samples if problem is not None else ()
    tests = [_test(test, samples) for test in row["tests"] or ()]
    fields = {name: row[name] for name in SubmissionDetail.model_fields if name != "tests"}
    return SubmissionDetail(**fields, tests=tests)


def _test(test: dict[str, Any], samples: tuple) -> TestView:
    index = test["index"]
    shown = {"index": index, "verdict": test["verdict"], "time_ms": test.get("time_ms"),
             "memory_kb": test.get("memory_kb")}
    if index >= len(samples):
        return TestView(**shown, sample=False)
    case = samples[index]
    return TestView(**shown, sample=True, input=case.input[:SHOWN_CAP], expected=case.output[:SHOWN_CAP],
                    output=test.get("output"))
