"""Output comparison like Kattis' default output validator, with its flags.

Token-based: any run of spaces, tabs and newlines separates tokens, and leading and trailing
whitespace is ignored — unless `space_change_sensitive`, when the whitespace between, before and
after the tokens must be the same too. Letters compare case-sensitively only with `case_sensitive`
(arena's own Markdown problems default to it; a Kattis package's default validator does not).
With a float tolerance, a token of the judge's answer that reads as a decimal number accepts a
number within the absolute OR the relative tolerance; every other token must match exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Plain decimal numbers only: "nan", "inf", hex floats and "1_000" must match literally.
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_WHITESPACE = re.compile(rb"(\s+)")


@dataclass(frozen=True)
class OutputRules:
    """The default validator's flags (problem.yaml's validator_flags, or the model's fields)."""

    case_sensitive: bool = True
    space_change_sensitive: bool = False
    absolute_tolerance: float | None = None
    relative_tolerance: float | None = None


def _number(token: bytes) -> float | None:
    if not _NUMBER.fullmatch(token):
        return None
    value = float(token)
    return value if math.isfinite(value) else None


def tokens_match(expected: bytes, actual: bytes, rules: OutputRules) -> bool:
    if expected == actual or not rules.case_sensitive and expected.lower() == actual.lower():
        return True
    if rules.absolute_tolerance is None and rules.relative_tolerance is None:
        return False
    want, got = _number(expected), _number(actual)
    if want is None or got is None:
        return False
    error = abs(want - got)
    return (rules.absolute_tolerance is not None and error <= rules.absolute_tolerance
            or rules.relative_tolerance is not None and error <= rules.relative_tolerance * abs(want))


def outputs_match(expected: bytes, actual: bytes, rules: OutputRules = OutputRules()) -> bool:
    """True when the program's output is accepted for the expected answer."""
    if rules.space_change_sensitive:
        want, got = _WHITESPACE.split(expected), _WHITESPACE.split(actual)
        if len(want) != len(got) or want[1::2] != got[1::2]:  # the whitespace runs, exactly
            return False
        want, got = want[0::2], got[0::2]
    else:
        want, got = expected.split(), actual.split()
        if len(want) != len(got):
            return False
    return all(tokens_match(w, g, rules) for w, g in zip(want, got))


def tolerance(value: float) -> OutputRules:
    """Rules of a problem's `float_tolerance`: absolute or relative error within it."""
    return OutputRules(absolute_tolerance=value, relative_tolerance=value)
