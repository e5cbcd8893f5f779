"""The verdict of an interactive test from the submission's run and the interactor's outcome,
by the format's rules (problemtools' order): no sandbox needed."""

import pytest

from arena.judge.interactive import grade_interactive
from arena.judge.output_validator import Outcome
from arena.judge.sandbox import Report, StepReport
from arena.judge.verdicts import Verdict
from arena.problems.model import OutputValidator, Problem, TestCase

PROBLEM = Problem(title="Guess", slug="guess", time_limit_ms=1000, interactive=True,
                  output_validator=OutputValidator(files=({"name": "i.py", "text": "exit(42)\n"},)),
                  tests=(TestCase(input="1\n", output="\n"),))


def run(exit_code=0, signal=None, cpu_ms=10.0, timed_out=False) -> StepReport:
    return StepReport(exit_code=exit_code, signal=signal, cpu_ms=cpu_ms, wall_ms=cpu_ms,
                      maxrss_kb=1000, timed_out=timed_out, output_limit=False)


@pytest.mark.parametrize(("step", "outcome", "verdict"), [
    (run(), Outcome(Verdict.AC), Verdict.AC),
    (run(), Outcome(Verdict.WA), Verdict.WA),
    # the submission crashed first: its crash is the verdict, not the interactor's WA
    (run(exit_code=1), Outcome(Verdict.WA), Verdict.RE),
    # the interactor said WA while the submission still ran: WA, even over a timeout
    (run(timed_out=True, exit_code=None, signal=9), Outcome(Verdict.WA, validator_first=True), Verdict.WA),
    (run(timed_out=True, exit_code=None, signal=9), Outcome(Verdict.WA), Verdict.TLE),
    (run(exit_code=None, signal=9, cpu_ms=1500), Outcome(Verdict.AC), Verdict.TLE),
    # the interactor failing is the judge's fault, whatever the submission did
    (run(exit_code=1), Outcome(Verdict.IE, "exit 1"), Verdict.IE),
])
def test_an_interactive_test_is_judged_by_the_formats_rules(step, outcome, verdict):
    result = grade_interactive("s", PROBLEM, Report(compile=None, tests=(step,)), [outcome])
    assert result.verdict is verdict and result.tests[0].verdict is verdict


def test_a_submission_the_interactor_never_judged_is_an_internal_error():
    result = grade_interactive("s", PROBLEM, Report(compile=None, tests=(run(),)), [])
    assert result.verdict is Verdict.IE and "interactor" in result.detail
