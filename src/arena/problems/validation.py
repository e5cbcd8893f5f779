"""How a Kattis/ICPC package says outputs are validated, as Problem fields.

Legacy: `validation: default` (the default) or `custom`, `validator_flags` a string of flags, the
validator in `output_validators/<name>/` (or directly in `output_validators/`). 2023-07 and later:
`type: pass-fail` (the default), `output_validator_args` in data/testdata.yaml (test_group.yaml
since 2025-09), a custom validator when `output_validator/` exists. Flags go to the custom
validator as its arguments, or configure the default one (case_sensitive,
space_change_sensitive, float_tolerance ε, float_absolute_tolerance ε, float_relative_tolerance ε).
The default validator of the format is case-INsensitive, unlike arena's Markdown default.
`interactive` (legacy: `validation: custom interactive`) makes the custom validator the
interactor (judge/interactive.py). `scoring` problems add up their test groups
(score_groups.py); a validator's own score (`custom score`) and multi-pass problems are refused.
"""

from __future__ import annotations

from typing import Any

from arena.domain.text import check_line
from arena.problems.errors import ProblemFormatError
from arena.problems.model import VALIDATOR_LANGUAGES
from arena.problems.numbers import bounded_number
from arena.problems.package import MiB, Package
from arena.problems.yaml_loader import load_yaml

MAX_VALIDATOR_BYTES = 8 * MiB
_HEADERS = (".h", ".hpp", ".hh")
_TOLERANCES = {"float_tolerance": "float_tolerance", "float_absolute_tolerance":
               "float_absolute_tolerance", "float_relative_tolerance": "float_relative_tolerance"}


def validation_fields(meta: dict, package: Package) -> dict[str, Any]:
    modern = str(meta.get("problem_format_version", "legacy")).startswith("20")
    flags = _modern_flags(package) if modern else _words(meta.get("validator_flags"), "validator_flags")
    words = problem_type(meta)
    folder = _custom_folder(words, package, modern)
    interactive = "interactive" in words
    if interactive and "scoring" in words:
        raise ProblemFormatError("type", "interactive scoring problems are not supported yet")
    if interactive and folder is None:
        raise ProblemFormatError("output_validator", "an interactive problem needs its own "
                                 "output validator (the interactor)")
    if folder is not None:
        validator = {"output_validator": {"files": _validator_files(package, folder), "flags": flags}}
        return validator | ({"interactive": True} if interactive else {})
    return _default_validator(flags)


def problem_type(meta: dict) -> list[str]:
    """The words of `type` (2023-07 and later: a string or a list) or legacy `validation`."""
    modern = str(meta.get("problem_format_version", "legacy")).startswith("20")
    kind = meta.get("type" if modern else "validation") or ("pass-fail" if modern else "default")
    words = [str(w) for w in kind] if isinstance(kind, list) else str(kind).split()
    if not modern and meta.get("type") == "scoring":
        words.append("scoring")  # legacy: `type` says scoring, `validation` how outputs are checked
    if {"score", "multi-pass"} & set(words):  # a validator's own score.txt; several passes
        raise ProblemFormatError("type" if modern else "validation",
                                 f"{' '.join(words)!r} problems are not supported yet")
    return words


def _custom_folder(words: list[str], package: Package, modern: bool) -> str | None:
    if modern:
        for folder in ("output_validator", "output_validators"):
            if package.is_dir(folder):
                return _one_program(package, folder)
        return None
    if words[:1] != ["custom"]:
        return None  # a legacy package's validators are used only with `validation: custom`
    if not package.is_dir("output_validators"):
        raise ProblemFormatError("validation", "custom, but there is no output_validators/ folder")
    return _one_program(package, "output_validators")


def _one_program(package: Package, folder: str) -> str:
    inner = {p[len(folder) + 1:].split("/")[0] for p in package.files_under(folder)}
    if all(package.is_dir(f"{folder}/{name}") for name in inner):
        if len(inner) != 1:
            raise ProblemFormatError(folder, f"expected one validator, found {len(inner)}")
        return f"{folder}/{inner.pop()}"
    return folder


def _validator_files(package: Package, folder: str) -> list[dict[str, str]]:
    files, total = [], 0
    for path in package.files_under(folder):
        name = path[len(folder) + 1:]
        if not name.endswith(tuple(VALIDATOR_LANGUAGES) + _HEADERS):
            continue  # build scripts, READMEs: not part of the program we build
        if "/" in name:
            raise ProblemFormatError(path, "a validator's sources must sit in one folder")
        total += len(package.read_bytes(path))
        if total > MAX_VALIDATOR_BYTES:
            raise ProblemFormatError(folder, f"the validator is larger than {MAX_VALIDATOR_BYTES // MiB} MiB")
        files.append({"name": name, "text": package.read_text(path)})
    if not files:
        raise ProblemFormatError(folder, "no C, C++ or Python source in the output validator")
    return files


def _modern_flags(package: Package) -> list[str]:
    for path in ("data/test_group.yaml", "data/testdata.yaml"):
        if package.is_file(path):
            config = load_yaml(package.read_text(path), path) or {}
            if not isinstance(config, dict):
                raise ProblemFormatError(path, "must be a mapping")
            args = config.get("output_validator_args", config.get("output_validator_flags"))
            if isinstance(args, list):
                return [_word(str(arg), f"{path}: output_validator_args") for arg in args]
            return _words(args, f"{path}: output_validator_args")
    return []


def _words(value: object, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str):
        raise ProblemFormatError(field, "must be a string of flags")
    return [_word(word, field) for word in _line(value, field).split()]


def _word(word: str, field: str) -> str:
    return _line(word, field)[:200]


def _line(value: str, field: str) -> str:
    try:
        return check_line(value)
    except ValueError as exc:
        raise ProblemFormatError(field, str(exc)) from None


def _default_validator(flags: list[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {"case_sensitive": "case_sensitive" in flags,
                              "space_change_sensitive": "space_change_sensitive" in flags}
    for flag, field in _TOLERANCES.items():
        if flag in flags:
            at = flags.index(flag) + 1
            if at >= len(flags):
                raise ProblemFormatError(f"validator_flags.{flag}", "needs a value")
            fields[field] = bounded_number(flags[at], f"validator_flags.{flag}", low=1e-15, high=0.999)
    return fields
