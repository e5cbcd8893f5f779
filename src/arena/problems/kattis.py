"""A Kattis/ICPC problem package, read from a Package (a zip upload or a directory).

problem.yaml (name, limits.memory in MiB, limits.time_limit in seconds or a .timelimit file;
output validation in validation.py), data/sample/*.in|.ans (samples, shown) and
data/secret/**/*.in|.ans (hidden tests, sorted by path), an optional statement under
problem_statement/ or statement/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from arena.problems.errors import ProblemFormatError
from arena.problems.expectations import ExpectedSubmission, expected_submissions
from arena.problems.model import MEMORY_MB, TIME_LIMIT_MS, Problem, build_problem
from arena.problems.numbers import bounded_number
from arena.problems.package import MiB, Package
from arena.problems.testdata import read_tests
from arena.problems.time_limit import (UNVERIFIED_TIME_LIMIT_MS, PackageSubmission, TimeRule,
                                       submissions, time_rule)
from arena.problems.unsupported import unsupported_parts
from arena.problems.score_groups import score_groups
from arena.problems.validation import problem_type, validation_fields
from arena.problems.yaml_loader import load_yaml

MAX_PROBLEM_YAML_BYTES = 1 * MiB  # metadata only: the tests live in data/
_STATEMENTS = ("statement/problem.en.md", "statement/problem.md", "problem_statement/problem.en.md",
               "problem_statement/problem.md", "problem_statement/problem.en.tex",
               "problem_statement/problem.tex")


@dataclass(frozen=True)
class KattisPackage:
    problem: Problem
    time_rule: TimeRule | None  # how to derive the time limit, when the package sets none
    accepted: tuple[PackageSubmission, ...] = ()
    too_slow: tuple[PackageSubmission, ...] = ()  # submissions/time_limit_exceeded
    ignored: tuple[str, ...] = ()  # parts not supported yet, one line each (unsupported.py)
    # Every submission with the verdict its folder names (verify.py judges them), and the
    # multiplier and safety margin the format gives, whether or not the limit is derived.
    expected: tuple[ExpectedSubmission, ...] = ()
    rule: TimeRule | None = None


def load_kattis_package(package: Package, *, slug: str) -> Problem:
    """The package as a Problem; slug is its folder name (Kattis' short name), or "" to make
    one from the title. Without a time limit in the package, the limit is the unverified
    default: read_kattis_package says how to derive one."""
    return read_kattis_package(package, slug=slug).problem


def read_kattis_package(package: Package, *, slug: str) -> KattisPackage:
    meta = _problem_yaml(package)
    limits = meta.get("limits") or {}
    if not isinstance(limits, dict):
        raise ProblemFormatError("limits", "must be a mapping")
    samples = read_tests(package, "data/sample")
    tests = read_tests(package, "data/secret")
    if not samples and not tests:
        raise ProblemFormatError("data", "no test data: expected data/sample or data/secret")
    title = _title(meta, package, slug)
    fields = {
        "title": title,
        "slug": _slug(slug or title),
        "time_limit_ms": _time_limit_ms(package, limits) or UNVERIFIED_TIME_LIMIT_MS,
        "memory_mb": int(bounded_number(limits.get("memory", 256), "limits.memory",
                                        low=MEMORY_MB[0], high=MEMORY_MB[1], whole=True)),
        **validation_fields(meta, package),
        "scoring": score_groups(package) if "scoring" in problem_type(meta) else None,
        "samples": samples,
        "tests": tests,
        "statement": _statement(package),
    }
    problem = build_problem({k: v for k, v in fields.items() if v is not None}, source="problem.yaml")
    expected, unchecked = expected_submissions(package)
    ignored = unsupported_parts(meta, package) + tuple(
        f"{folder}/: submissions whose verdict is not checked" for folder in unchecked)
    rule = time_rule(meta, limits)
    if _time_limit_ms(package, limits) is not None:
        return KattisPackage(problem, None, ignored=ignored, expected=expected, rule=rule)
    return KattisPackage(problem, rule,
                         submissions(package, "submissions/accepted"),
                         submissions(package, "submissions/time_limit_exceeded"), ignored,
                         expected, rule)


def _problem_yaml(package: Package) -> dict:
    if len(package.read_bytes("problem.yaml")) > MAX_PROBLEM_YAML_BYTES:
        raise ProblemFormatError("problem.yaml", f"larger than {MAX_PROBLEM_YAML_BYTES // MiB} MiB")
    meta = load_yaml(package.read_text("problem.yaml"), "problem.yaml") or {}
    if not isinstance(meta, dict):
        raise ProblemFormatError("problem.yaml", "must be a mapping")
    return meta


def _title(meta: dict, package: Package, folder: str) -> str:
    name = meta.get("name")
    if isinstance(name, dict):  # the 2023-07 format: a name per language
        name = name.get("en") or next(iter(name.values()), None)
    if not name:
        for tex in ("problem_statement/problem.en.tex", "problem_statement/problem.tex"):
            found = package.is_file(tex) and re.search(r"\\problemname\{(.+?)\}", package.read_text(tex))
            if found:
                return found.group(1).strip()
    return str(name or folder)  # the model refuses an empty title, naming the field


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:64]
    if not slug:
        raise ProblemFormatError("slug", f"cannot make a slug from {name[:64]!r}")
    return slug


def _time_limit_ms(package: Package, limits: dict) -> int | None:
    seconds, field = limits.get("time_limit"), "limits.time_limit"
    if seconds is None and package.is_file(".timelimit"):
        seconds, field = package.read_text(".timelimit"), ".timelimit"
    if seconds is None:
        return None
    low, high = TIME_LIMIT_MS[0] / 1000, TIME_LIMIT_MS[1] / 1000
    return round(bounded_number(seconds, field, low=low, high=high) * 1000)


def _statement(package: Package) -> str:
    for path in _STATEMENTS:
        if package.is_file(path):
            return package.read_text(path).strip() + "\n"
    return ""
