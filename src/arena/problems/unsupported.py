"""What a Kattis/ICPC package holds that arena does not use yet, said rather than dropped in
silence: an importer reports each part (the CLI as warnings, the upload in its answer's
`ignored`), so a problem setter knows what the judge will not do."""

from __future__ import annotations

from arena.problems.errors import ProblemFormatError
from arena.problems.package import Package
from arena.problems.yaml_loader import load_yaml

# problem.yaml keys that are read (or are metadata that changes no verdict)
_READ = {"name", "problem_format_version", "type", "validation", "validator_flags", "limits"}
_METADATA = {"uuid", "author", "authors", "source", "source_url", "license", "rights_owner",
             "credits", "keywords", "version", "embargo_until"}
_LIMITS_READ = {"time_limit", "memory", "time_multiplier", "time_safety_margin", "time_multipliers"}
_FOLDERS = {
    "input_validators": "input validators (test inputs are not checked)",
    "input_format_validators": "input validators (test inputs are not checked)",
    "input_validator": "input validators (test inputs are not checked)",
    "include": "code added to submissions",
    "attachments": "files for players",
    "generators": "test generators (the tests are read as given in data/)",
    "graders": "custom score aggregation",
    "static_validator": "static validation of submissions",
}
_TEST_FILES = (".in", ".ans")


def unsupported_parts(meta: dict, package: Package) -> tuple[str, ...]:
    """One line per part of the package that is not used, in a stable order."""
    found = [f"problem.yaml: {key!r} is not supported yet" for key in sorted(set(meta) - _READ - _METADATA)]
    limits = meta.get("limits") if isinstance(meta.get("limits"), dict) else {}
    found += [f"problem.yaml: limits.{key} is not enforced" for key in sorted(set(limits) - _LIMITS_READ)]
    found += [f"{folder}/: {what}, not supported yet" for folder, what in _FOLDERS.items()
              if package.is_dir(folder)]
    found += _test_group_keys(package)
    if package.is_dir("data"):
        other = [path for path in package.files_under("data") if not path.endswith(_TEST_FILES)
                 and not path.rsplit("/", 1)[-1].startswith(("testdata.yaml", "test_group.yaml"))]
        if other:
            found.append(f"data/: {len(other)} file(s) other than .in/.ans not used "
                         f"(e.g. {other[0]})")
    if not any(package.is_file(p) for p in ("statement/problem.en.md", "statement/problem.md",
                                             "problem_statement/problem.en.md", "problem_statement/problem.md")) \
            and any(package.is_file(p) for p in ("problem_statement/problem.en.tex", "problem_statement/problem.tex")):
        found.append("problem_statement/: a LaTeX statement is shown as its source, not rendered")
    return tuple(found)


# testdata.yaml / test_group.yaml keys that are read (validation.py, score_groups.py)
_GROUP_KEYS_READ = {"output_validator_args", "output_validator_flags", "accept_score", "reject_score",
                    "on_reject", "grader_flags", "scoring", "max_score", "score_aggregation"}


def _test_group_keys(package: Package) -> list[str]:
    found = []
    for path in package.files_under("data"):
        if path.rsplit("/", 1)[-1] in ("testdata.yaml", "test_group.yaml"):
            try:
                config = load_yaml(package.read_text(path), path) or {}
            except ProblemFormatError:
                continue  # the readers report a broken file, naming it
            if isinstance(config, dict):
                found += [f"{path}: {key!r} is not supported yet"
                          for key in sorted(set(map(str, config)) - _GROUP_KEYS_READ)]
    return found
