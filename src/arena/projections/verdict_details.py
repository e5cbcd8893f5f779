"""What the submission history keeps of a verdict's details (the judge's JudgeResult, as the
VerdictRecorded event carries it): the compiler's message and, per test, verdict, time, memory
and, on sample tests only, the program's output, each capped.

The details come from a signed judge, but the history is a background fold: anything of an
unexpected shape is left out, never an exception that stops the projection.
"""

from __future__ import annotations

from typing import Any

COMPILE_OUTPUT_CAP = 8 * 1024  # characters; the judge already caps what it captures at 8 KiB
OUTPUT_CAP = 4 * 1024  # characters of a sample test's output (the judge's SAMPLE_OUTPUT_CAP)
MAX_TESTS = 1000  # a problem's tests are bounded on import; this only bounds a malformed list


def shown_details(details: Any) -> dict[str, Any]:
    """{compile_output, tests, time_ms, memory_kb}: the history's columns for one verdict."""
    details = details if isinstance(details, dict) else {}
    compile_output = details.get("compile_output")
    tests = details.get("tests")
    return {
        "compile_output": compile_output[:COMPILE_OUTPUT_CAP] if isinstance(compile_output, str) else None,
        "tests": [test for test in map(_test, tests[:MAX_TESTS]) if test] if isinstance(tests, list) else [],
        "time_ms": _count(details.get("time_ms")),
        "memory_kb": _count(details.get("memory_kb")),
    }


def _test(test: Any) -> dict[str, Any] | None:
    if not (isinstance(test, dict) and isinstance(test.get("verdict"), str) and _count(test.get("index")) is not None):
        return None
    shown = {"index": test["index"], "verdict": test["verdict"][:4], "time_ms": _count(test.get("time_ms")),
             "memory_kb": _count(test.get("memory_kb"))}
    if isinstance(test.get("output"), str):  # the judge sends it for sample tests only
        shown["output"] = test["output"][:OUTPUT_CAP]
    return shown


def _count(value: Any) -> int | None:
    return value if type(value) is int and 0 <= value < 2**31 else None
