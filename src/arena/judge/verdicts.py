"""Verdicts: one per test from the sandbox's facts, and the overall one by priority.

Overall: CE (compilation failed), else the first failing test's verdict, else AC. IE is only ever
the judge's own fault (sandbox broke, protocol error): never the player's.
Per test, the order matters: a stdout cut at the cap is OLE even if the program then crashed on
the write error; resident memory over the limit is MLE even if the clock also ran out; a program
killed for CPU time is TLE though it died by a signal; a Python MemoryError under RLIMIT_AS exits
1 but is MLE.
"""

from __future__ import annotations

import signal
from enum import Enum

from arena.judge.compare import OutputRules, outputs_match
from arena.judge.sandbox import StepReport

# What runtimes print when an allocation fails under RLIMIT_AS or their own heap limit.
MEMORY_ERROR_MARKERS = (b"MemoryError", b"std::bad_alloc", b"java.lang.OutOfMemoryError",
                        b"JavaScript heap out of memory", b"memory allocation of",
                        b"Cannot allocate memory", b"Allocation failed")


class Verdict(str, Enum):
    AC = "AC"
    WA = "WA"
    TLE = "TLE"
    MLE = "MLE"
    RE = "RE"
    CE = "CE"
    OLE = "OLE"
    IE = "IE"


def compile_failed(report: StepReport | None) -> bool:
    return report is not None and not report.finished_cleanly


def grade_test(
    report: StepReport,
    expected: bytes,
    *,
    time_limit_ms: int,
    memory_mb: int,
    rules: OutputRules = OutputRules(),
    oom_killed: bool = False,
) -> Verdict:
    """The test's verdict with the default output validator."""
    verdict = run_verdict(report, time_limit_ms=time_limit_ms, memory_mb=memory_mb,
                          oom_killed=oom_killed)
    if verdict is not None:
        return verdict
    return Verdict.AC if outputs_match(expected, report.stdout, rules) else Verdict.WA


def run_verdict(report: StepReport, *, time_limit_ms: int, memory_mb: int,
                oom_killed: bool = False) -> Verdict | None:
    """What the run alone decides (OLE, MLE, TLE, RE), or None: its output is to be validated."""
    crashed = report.exit_code != 0 or report.signal is not None
    # Output and memory caps cut a program off the moment they are crossed, so they explain
    # its end better than the clock does; TLE comes next; then the runtimes' own OOM reports.
    if report.output_limit or report.signal == signal.SIGXFSZ:
        return Verdict.OLE
    if report.maxrss_kb > memory_mb * 1024:
        return Verdict.MLE
    if report.timed_out or report.cpu_ms > time_limit_ms or report.signal == signal.SIGXCPU:
        return Verdict.TLE
    if crashed and (_says_out_of_memory(report.stderr) or (oom_killed and report.signal == 9)):
        return Verdict.MLE
    if crashed:
        return Verdict.RE
    return None


def _says_out_of_memory(stderr: bytes) -> bool:
    return any(marker in stderr for marker in MEMORY_ERROR_MARKERS)


def overall_verdict(compile_failed_: bool, test_verdicts: list[Verdict]) -> Verdict:
    """CE first, then the first failing test's verdict, else AC (an empty test list is AC)."""
    if compile_failed_:
        return Verdict.CE
    for verdict in test_verdicts:
        if verdict is not Verdict.AC:
            return verdict
    return Verdict.AC
