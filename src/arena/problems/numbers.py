"""The one parser for numbers in problem files (Kattis limits, .timelimit, validator flags).

A number there may be a YAML int or float, or text (PyYAML reads `1e308` without a dot as a
string, and .timelimit is a text file). int("abc"), int(float("inf")) and round(1e308 * 1000)
raise, so every number is checked here: finite, in range, and named by its field when refused.
"""

from __future__ import annotations

import math
import re

from arena.problems.errors import ProblemFormatError

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def bounded_number(value: object, field: str, *, low: float, high: float, whole: bool = False) -> float:
    """value as a float in [low, high], whole if asked; ProblemFormatError(field) otherwise."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 32 or not _DECIMAL.fullmatch(text):  # no "nan", "inf", "1_000", 5,000 digits
            raise ProblemFormatError(field, f"not a number: {text[:32]!r}")
        value = float(text)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProblemFormatError(field, f"must be a number, not {type(value).__name__}")
    # An int compares exactly with the bounds however large it is; float() could overflow first.
    if isinstance(value, float) and not math.isfinite(value) or not low <= value <= high:
        raise ProblemFormatError(field, f"must be between {low:g} and {high:g}")
    if whole and value != int(value):
        raise ProblemFormatError(field, "must be a whole number")
    return float(value)
