"""Output comparison like Kattis' default validator.

Token-based and whitespace-insensitive (any run of spaces, tabs and newlines separates tokens;
leading and trailing whitespace is ignored); case-sensitive. With a float tolerance, a pair of
tokens that both read as decimal numbers matches when the absolute OR the relative error is at
most the tolerance; every other token must match exactly.
"""

from __future__ import annotations

import math
import re

# Plain decimal numbers only: "nan", "inf", hex floats and "1_000" must match literally.
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _number(token: bytes) -> float | None:
    if not _NUMBER.fullmatch(token):
        return None
    value = float(token)
    return value if math.isfinite(value) else None


def tokens_match(expected: bytes, actual: bytes, tolerance: float | None) -> bool:
    if expected == actual:
        return True
    if tolerance is None:
        return False
    want, got = _number(expected), _number(actual)
    if want is None or got is None:
        return False
    error = abs(want - got)
    return error <= tolerance or error <= tolerance * abs(want)


def outputs_match(expected: bytes, actual: bytes, tolerance: float | None = None) -> bool:
    """True when the program's output is accepted for the expected answer."""
    want, got = expected.split(), actual.split()
    if len(want) != len(got):
        return False
    return all(tokens_match(w, g, tolerance) for w, g in zip(want, got))
