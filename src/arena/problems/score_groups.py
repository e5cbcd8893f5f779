"""The test groups of a scoring problem (Kattis `type: scoring`), one ScoreGroup per folder of
data/ (the root included), from the testdata.yaml in it (test_group.yaml since 2025-09; both
are read, the newer name first).

Legacy keys, inherited by subgroups as problemtools does: accept_score (a passed test's score,
default 1), reject_score (default 0), on_reject (break: stop the group at its first failure;
continue), grader_flags (sum | min | max | avg; worst_error | first_error | always_accept;
accept_if_any_accepted; ignore_sample). 2023-07: `scoring: {score, aggregation}`; 2025-09:
`max_score` and `score_aggregation` (pass-fail | sum | min): the group's own, not inherited.
`range`, `grading` and `require_pass` are not used (reported by unsupported.py).
"""

from __future__ import annotations

from typing import Any

from arena.problems.errors import ProblemFormatError
from arena.problems.numbers import bounded_number
from arena.problems.package import Package
from arena.problems.yaml_loader import load_yaml

_INHERITED = ("accept_score", "reject_score", "on_reject", "grader_flags")
_AGGREGATIONS = {"sum", "min", "max", "avg", "pass-fail"}
_VERDICTS = {"worst_error": "worst_error", "no_errors": "worst_error", "first_error": "first_error",
             "always_accept": "always_accept", "accept_if_any_accepted": "accept_if_any_accepted"}


def score_groups(package: Package) -> list[dict[str, Any]]:
    """Every folder of data/ as ScoreGroup fields, parents before their subgroups."""
    folders = sorted({"data"} | {f for f in package.folders if f.startswith("data/")},
                     key=lambda f: f.split("/"))
    inherited: dict[str, dict[str, Any]] = {}
    groups = []
    for folder in folders:
        parent = inherited.get(folder.rsplit("/", 1)[0], {}) if "/" in folder else {}
        own = _config(package, folder)
        inherited[folder] = {**parent, **{k: v for k, v in own.items() if k in _INHERITED}}
        groups.append(_group(folder, inherited[folder], own))
    return groups


def _config(package: Package, folder: str) -> dict[str, Any]:
    for name in ("test_group.yaml", "testdata.yaml"):
        path = f"{folder}/{name}"
        if package.is_file(path):
            config = load_yaml(package.read_text(path), path) or {}
            if not isinstance(config, dict):
                raise ProblemFormatError(path, "must be a mapping")
            return config
    return {}


def _group(folder: str, legacy: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    field = f"{folder}/testdata.yaml"
    group: dict[str, Any] = {"path": folder.removeprefix("data").removeprefix("/")}
    for key in ("accept_score", "reject_score"):
        if key in legacy:
            group[key] = bounded_number(legacy[key], f"{field}: {key}", low=-1e9, high=1e9)
    if "on_reject" in legacy:
        if legacy["on_reject"] not in ("break", "continue"):
            raise ProblemFormatError(f"{field}: on_reject", "must be break or continue")
        group["on_reject"] = legacy["on_reject"]
    for flag in str(legacy.get("grader_flags") or "").split():
        if flag in _AGGREGATIONS - {"pass-fail"}:
            group["aggregation"] = flag
        elif flag in _VERDICTS:
            group["verdict"] = _VERDICTS[flag]
        elif flag == "ignore_sample":
            group["ignore_sample"] = True
        else:
            raise ProblemFormatError(f"{field}: grader_flags", f"unknown flag {flag[:50]!r}")
    scoring = own.get("scoring") if isinstance(own.get("scoring"), dict) else {}
    score = own.get("max_score", scoring.get("score"))
    aggregation = own.get("score_aggregation", scoring.get("aggregation"))
    if score is not None and score != "unbounded":
        group["max_score"] = bounded_number(score, f"{field}: max_score", low=0, high=1e9)
    if aggregation is not None:
        if aggregation not in _AGGREGATIONS:
            raise ProblemFormatError(f"{field}: score_aggregation",
                                     f"must be one of {', '.join(sorted(_AGGREGATIONS))}")
        group["aggregation"] = aggregation
    return group
