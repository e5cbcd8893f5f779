"""What the submission history keeps of a verdict's details (the judge's JudgeResult, as the
VerdictRecorded event carries it): the compiler's message and, per test, verdict, time, memory
and, on sample tests only, the program's output, each capped; for a scoring problem, the score,
the problem's maximum and each test group's score (a group's name is its folder under data/: it
tells nothing of a hidden test's data, as DOMjudge and Kattis show per-group scores too).

The details come from a signed judge, but the history is a background fold: anything of an
unexpected shape is left out, never an exception that stops the projection.
"""

from __future__ import annotations

from typing import Any

COMPILE_OUTPUT_CAP = 8 * 1024  # characters; the judge already caps what it captures at 8 KiB
OUTPUT_CAP = 4 * 1024  # characters of a sample test's output (the judge's SAMPLE_OUTPUT_CAP)
MAX_TESTS = 1000  # a problem's tests are bounded on import; this only bounds a malformed list
MAX_GROUPS = 200  # likewise for score groups
GROUP_NAME_CAP = 200  # characters


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
        **shown_score(details),
    }


def shown_score(details: Any) -> dict[str, Any]:
    """{score, max_score, groups}: a scoring problem's; all None for a pass-fail problem's verdict
    (its details carry no score) or a score of an unexpected shape."""
    details = details if isinstance(details, dict) else {}
    score, most = _number(details.get("score")), _number(details.get("max_score"))
    if score is None or most is None:
        return {"score": None, "max_score": None, "groups": None}
    groups = details.get("groups")
    groups = [group for group in map(_group, groups[:MAX_GROUPS]) if group] if isinstance(groups, list) else []
    return {"score": score, "max_score": most, "groups": groups}


def _group(group: Any) -> dict[str, Any] | None:
    if not (isinstance(group, dict) and isinstance(group.get("group"), str) and isinstance(group.get("verdict"), str)
            and _number(group.get("score")) is not None):
        return None
    return {"group": group["group"][:GROUP_NAME_CAP], "verdict": group["verdict"][:4],
            "score": group["score"], "max_score": _number(group.get("max_score"))}


def _test(test: Any) -> dict[str, Any] | None:
    if not (isinstance(test, dict) and isinstance(test.get("verdict"), str) and _count(test.get("index")) is not None):
        return None
    shown = {"index": test["index"], "verdict": test["verdict"][:4], "time_ms": _count(test.get("time_ms")),
             "memory_kb": _count(test.get("memory_kb"))}
    if isinstance(test.get("output"), str):  # the judge sends it for sample tests only
        shown["output"] = test["output"][:OUTPUT_CAP]
    return shown


def _number(value: Any) -> float | None:
    # bool is an int; NaN and infinities are no score (and JSON cannot carry them)
    if type(value) not in (int, float) or not -1e12 < value < 1e12:
        return None
    return value


def _count(value: Any) -> int | None:
    return value if type(value) is int and 0 <= value < 2**31 else None
