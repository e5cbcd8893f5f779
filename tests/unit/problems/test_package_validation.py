from pathlib import Path

import pytest

from arena.problems.importing import load_problem_dir, read_problem_dir
from arena.problems.model import ProblemFormatError, parse_markdown, render_markdown
from arena.problems.time_limit import TimeRule, derived_time_limit_ms

DATA = {"data/sample/1.in": "1\n", "data/sample/1.ans": "2\n"}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_legacy_validator_flags_configure_the_default_validator(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml":
        "name: P\nlimits: {time_limit: 1}\nvalidator_flags: case_sensitive float_absolute_tolerance 1e-4\n"}))
    assert problem.case_sensitive and not problem.space_change_sensitive
    assert (problem.float_absolute_tolerance, problem.float_relative_tolerance) == (1e-4, None)


def test_a_kattis_package_compares_case_insensitively_by_default(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml": "name: P\n"}))
    assert not problem.case_sensitive


def test_2023_packages_take_flags_from_testdata_yaml(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", {**DATA,
        "problem.yaml": "problem_format_version: 2023-07-draft\nname: P\n",
        "data/testdata.yaml": "output_validator_args: space_change_sensitive float_relative_tolerance 0.01\n"}))
    assert problem.space_change_sensitive and problem.float_relative_tolerance == 0.01


def test_a_custom_validator_is_stored_in_the_document_and_covered_by_its_hash(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", {**DATA,
        "problem.yaml": "name: P\nvalidation: custom\nvalidator_flags: float_tolerance 1e-3\n",
        "output_validators/v/validate.cpp": "int main() { return 42; }\n",
        "output_validators/v/testlib.h": "// header\n", "output_validators/v/build": "ignored\n"}))
    validator = problem.output_validator
    assert [f.name for f in validator.files] == ["testlib.h", "validate.cpp"]
    assert validator.flags == ("float_tolerance", "1e-3") and validator.language == "cpp"
    document = render_markdown(problem)
    assert "int main() { return 42; }" in document.replace("\\n", "\n")
    assert parse_markdown(document) == problem


def test_a_legacy_package_uses_its_validator_only_with_validation_custom(tmp_path):
    problem = load_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml": "name: P\n",
        "output_validators/v/validate.py": "exit(42)\n"}))
    assert problem.output_validator is None


@pytest.mark.parametrize("yaml", ["name: P\nvalidation: custom score\n",
                                  "problem_format_version: 2023-07-draft\nname: P\ntype: multi-pass\n",
                                  "problem_format_version: 2023-07-draft\nname: P\ntype: [scoring, interactive]\n"])
def test_validator_scores_multi_pass_and_interactive_scoring_are_refused_as_not_supported_yet(tmp_path, yaml):
    with pytest.raises(ProblemFormatError, match="not supported yet"):
        load_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml": yaml}))


@pytest.mark.parametrize("yaml", ["name: P\nvalidation: custom interactive\n",
                                  "problem_format_version: 2023-07-draft\nname: P\ntype: interactive\n",
                                  "problem_format_version: 2023-07-draft\nname: P\ntype: [pass-fail, interactive]\n"])
def test_an_interactive_problem_is_read_with_its_interactor_in_both_formats(tmp_path, yaml):
    folder = "output_validators/i" if "custom" in yaml else "output_validator"
    problem = load_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml": yaml,
                                                      f"{folder}/interact.py": "exit(42)\n"}))
    assert problem.interactive and problem.output_validator.files[0].name == "interact.py"
    assert parse_markdown(render_markdown(problem)) == problem


def test_an_interactive_problem_without_an_interactor_is_refused(tmp_path):
    with pytest.raises(ProblemFormatError, match="interactor"):
        load_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml":
                                                "problem_format_version: 2023-07-draft\nname: P\ntype: interactive\n"}))


def test_a_package_without_a_time_limit_says_how_to_derive_one_and_lists_its_submissions(tmp_path):
    imported = read_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml": "name: P\n",
        "submissions/accepted/a.c": "int main(){}\n", "submissions/accepted/notes.txt": "x\n",
        "submissions/time_limit_exceeded/slow.py": "while 1: pass\n"}))
    assert imported.time_rule == TimeRule(multiplier=5, safety_margin=2)  # the legacy defaults
    assert [(s.path, s.language) for s in imported.accepted] == [("submissions/accepted/a.c", "c")]
    assert [s.language for s in imported.too_slow] == ["python"]


def test_2023_packages_read_their_time_multipliers(tmp_path):
    imported = read_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml":
        "problem_format_version: 2023-07-draft\nname: P\nlimits:\n  time_multipliers:\n"
        "    ac_to_time_limit: 3\n"}))
    assert imported.time_rule == TimeRule(multiplier=3, safety_margin=1.5)


def test_a_package_with_a_time_limit_needs_no_derivation(tmp_path):
    imported = read_problem_dir(write(tmp_path / "p", {**DATA, "problem.yaml": "name: P\nlimits: {time_limit: 2.5}\n"}))
    assert imported.time_rule is None and imported.problem.time_limit_ms == 2500


def test_the_derived_limit_is_rounded_up_to_a_whole_second_and_at_least_one():
    assert derived_time_limit_ms(1200, TimeRule(2, 1.5)) == 3000
    assert derived_time_limit_ms(1000, TimeRule(2, 1.5)) == 2000
    assert derived_time_limit_ms(5, TimeRule(5, 2)) == 1000
    assert derived_time_limit_ms(50_000, TimeRule(5, 2)) == 60_000  # the model's ceiling
