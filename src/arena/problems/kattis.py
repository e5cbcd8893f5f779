"""A Kattis/ICPC problem package, read from a Package (a zip upload or a directory).

problem.yaml (name, limits.memory in MiB, limits.time_limit in seconds or a .timelimit file,
validator_flags with float_tolerance), data/sample/*.in|.ans (samples, shown) and
data/secret/**/*.in|.ans (hidden tests, sorted by path), an optional statement under
problem_statement/ or statement/.
"""

from __future__ import annotations

import re

from arena.domain.text import check_line
from arena.problems.errors import ProblemFormatError
from arena.problems.model import MEMORY_MB, TIME_LIMIT_MS, Problem, build_problem
from arena.problems.numbers import bounded_number
from arena.problems.package import MiB, Package
from arena.problems.testdata import read_tests
from arena.problems.yaml_loader import load_yaml

MAX_PROBLEM_YAML_BYTES = 1 * MiB  # metadata only: the tests live in data/
_STATEMENTS = ("statement/problem.en.md", "statement/problem.md", "problem_statement/problem.en.md",
               "problem_statement/problem.md", "problem_statement/problem.en.tex",
               "problem_statement/problem.tex")


def load_kattis_package(package: Package, *, slug: str) -> Problem:
    """The package as a Problem; slug is its folder name (Kattis' short name), or "" to make
    one from the title."""
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
        "time_limit_ms": _time_limit_ms(package, limits),
        "memory_mb": int(bounded_number(limits.get("memory", 256), "limits.memory",
                                        low=MEMORY_MB[0], high=MEMORY_MB[1], whole=True)),
        "float_tolerance": _float_tolerance(meta),
        "samples": samples,
        "tests": tests,
        "statement": _statement(package),
    }
    return build_problem({k: v for k, v in fields.items() if v is not None}, source="problem.yaml")


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


def _time_limit_ms(package: Package, limits: dict) -> int:
    seconds, field = limits.get("time_limit"), "limits.time_limit"
    if seconds is None and package.is_file(".timelimit"):
        seconds, field = package.read_text(".timelimit"), ".timelimit"
    if seconds is None:
        return 1000
    low, high = TIME_LIMIT_MS[0] / 1000, TIME_LIMIT_MS[1] / 1000
    return round(bounded_number(seconds, field, low=low, high=high) * 1000)


def _float_tolerance(meta: dict) -> float | None:
    flags = meta.get("validator_flags") or ""
    if not isinstance(flags, str):
        raise ProblemFormatError("validator_flags", "must be a string of flags")
    try:
        words = check_line(flags).split()
    except ValueError as exc:
        raise ProblemFormatError("validator_flags", str(exc)) from None
    for key in ("float_tolerance", "float_absolute_tolerance", "float_relative_tolerance"):
        if key in words and words.index(key) + 1 < len(words):
            return bounded_number(words[words.index(key) + 1], f"validator_flags.{key}", low=0, high=1)
    return None


def _statement(package: Package) -> str:
    for path in _STATEMENTS:
        if package.is_file(path):
            return package.read_text(path).strip() + "\n"
    return ""
