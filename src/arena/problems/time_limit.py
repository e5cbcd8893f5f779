"""A package's time limit when it sets none, derived as problemtools does: the slowest accepted
submission's CPU time times the time multiplier, then checked against the submissions that must
be too slow, with the safety margin.

Legacy packages: `limits.time_multiplier` (default 5) and `limits.time_safety_margin` (default
2). 2023-07 and later: `limits.time_multipliers.ac_to_time_limit` (default 2) and
`.time_limit_to_tle` (default 1.5); the legacy keys are read there too. problemtools rounds to
the nearest second; we round UP, so the limit is never below multiplier x the slowest run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from arena.problems.errors import ProblemFormatError
from arena.problems.model import TIME_LIMIT_MS
from arena.problems.numbers import bounded_number
from arena.problems.package import Package

# What a submission's file name says it is written in (problemtools' extensions).
EXTENSIONS = {".c": "c", ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".java": "java",
              ".py": "python", ".py3": "python", ".js": "javascript", ".rs": "rust", ".go": "go",
              ".kt": "kotlin"}
UNVERIFIED_TIME_LIMIT_MS = 1000  # a package without a limit, imported with --no-verify


@dataclass(frozen=True)
class TimeRule:
    multiplier: float
    safety_margin: float


@dataclass(frozen=True)
class PackageSubmission:
    path: str  # inside the package, e.g. submissions/accepted/sol.c
    language: str
    source: str


def time_rule(meta: dict, limits: dict) -> TimeRule:
    if str(meta.get("problem_format_version", "legacy")).startswith("20"):
        given = limits.get("time_multipliers") or {}
        if not isinstance(given, dict):
            raise ProblemFormatError("limits.time_multipliers", "must be a mapping")
        multiplier = given.get("ac_to_time_limit", limits.get("time_multiplier", 2.0))
        margin = given.get("time_limit_to_tle", limits.get("time_safety_margin", 1.5))
    else:
        multiplier = limits.get("time_multiplier", 5.0)
        margin = limits.get("time_safety_margin", 2.0)
    return TimeRule(bounded_number(multiplier, "limits.time_multiplier", low=1, high=100),
                    bounded_number(margin, "limits.time_safety_margin", low=1, high=100))


def derived_time_limit_ms(slowest_ms: float, rule: TimeRule) -> int:
    """multiplier x the slowest accepted run, rounded up to a whole second (at least one)."""
    seconds = max(1, math.ceil(round(slowest_ms * rule.multiplier / 1000, 6)))
    return min(seconds * 1000, TIME_LIMIT_MS[1])


def submissions(package: Package, folder: str) -> tuple[PackageSubmission, ...]:
    """The single-file submissions in folder whose language we know; others are skipped."""
    found = []
    for path in package.files_under(folder):
        name = path[len(folder) + 1:]
        suffix = name[name.rfind("."):].lower() if "." in name else ""
        if "/" in name or suffix not in EXTENSIONS:
            continue  # multi-file submissions (folders) are not supported yet
        found.append(PackageSubmission(path, EXTENSIONS[suffix], package.read_text(path)))
    return tuple(found)
