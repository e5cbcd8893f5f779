import io
import zipfile
from pathlib import Path

import pytest

from arena.problems.importing import load_problem_dir, load_problem_zip
from arena.problems.model import ProblemFormatError


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


KATTIS = {
    "problem.yaml": "name: A Plus B\nlimits:\n  memory: 512\nvalidator_flags: float_tolerance 1e-6\n",
    ".timelimit": "2\n",
    "problem_statement/problem.en.tex": "\\problemname{A Plus B}\nAdd two numbers.\n",
    "data/sample/1.in": "1 2\n", "data/sample/1.ans": "3\n",
    "data/secret/group1/01.in": "5 5\n", "data/secret/group1/01.ans": "10\n",
    "data/secret/02-big.in": "100 1\n", "data/secret/02-big.ans": "101\n",
}

MARKDOWN = "---\ntitle: Sum\nslug: sum\ntime_limit_ms: 1500\nsamples:\n  - {input: \"1 2\\n\", output: \"3\\n\"}\ntests: tests\n---\n\nAdd them.\n"


def test_a_kattis_package_becomes_a_problem_with_its_limits_and_tests(tmp_path):
    problem = load_problem_dir(write(tmp_path / "aplusb", KATTIS))
    assert (problem.title, problem.slug) == ("A Plus B", "aplusb")
    assert (problem.time_limit_ms, problem.memory_mb, problem.float_tolerance) == (2000, 512, 1e-6)
    assert [c.input for c in problem.samples] == ["1 2\n"]
    assert [c.name for c in problem.tests] == ["02-big", "group1/01"]
    assert "Add two numbers" in problem.statement


def test_the_2023_format_with_a_name_per_language_and_time_limit_in_yaml_is_read(tmp_path):
    files = dict(KATTIS, **{"problem.yaml": "name:\n  en: Hello\nlimits:\n  time_limit: 0.5\n"})
    del files[".timelimit"]
    problem = load_problem_dir(write(tmp_path / "hello", files))
    assert (problem.title, problem.time_limit_ms, problem.memory_mb) == ("Hello", 500, 256)


def test_an_input_without_its_answer_is_rejected_naming_the_file(tmp_path):
    files = dict(KATTIS)
    del files["data/secret/02-big.ans"]
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_dir(write(tmp_path / "p", files))
    assert caught.value.field == "data/secret/02-big.in"


def test_a_package_without_any_test_data_is_rejected(tmp_path):
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_dir(write(tmp_path / "p", {"problem.yaml": "name: X\n"}))
    assert caught.value.field == "data"


def test_broken_problem_yaml_is_rejected_naming_the_file(tmp_path):
    files = dict(KATTIS, **{"problem.yaml": "name: [unclosed\n"})
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_dir(write(tmp_path / "p", files))
    assert caught.value.field == "problem.yaml"


def test_limits_out_of_range_are_rejected_naming_the_field(tmp_path):
    files = dict(KATTIS, **{"problem.yaml": "name: X\nlimits:\n  memory: 100000\n"})
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_dir(write(tmp_path / "p", files))
    assert caught.value.field == "limits.memory"


def test_a_markdown_problem_may_keep_its_tests_in_a_folder(tmp_path):
    write(tmp_path, {"sum.md": MARKDOWN, "tests/a.in": "2 2\n", "tests/a.ans": "4\n",
                     "tests/b.in": "3 3\n", "tests/b.ans": "6\n"})
    problem = load_problem_dir(tmp_path)
    assert (problem.slug, problem.time_limit_ms) == ("sum", 1500)
    assert [(c.name, c.output) for c in problem.tests] == [("a", "4\n"), ("b", "6\n")]
    assert problem.samples[0].output == "3\n"


def test_a_missing_tests_folder_is_rejected(tmp_path):
    write(tmp_path, {"sum.md": MARKDOWN})
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_dir(tmp_path)
    assert caught.value.field == "tests"


def test_a_zip_of_a_kattis_package_in_a_folder_is_imported():
    problem = load_problem_zip(zipped({f"aplusb/{k}": v for k, v in KATTIS.items()}))
    assert problem.slug == "aplusb" and len(problem.tests) == 2


def test_a_zip_of_a_bare_kattis_package_takes_its_slug_from_the_name():
    problem = load_problem_zip(zipped(KATTIS))
    assert problem.slug == "a-plus-b"


def test_a_zip_of_a_markdown_problem_with_tests_is_imported():
    problem = load_problem_zip(zipped({"sum.md": MARKDOWN, "tests/x.in": "1 1\n",
                                       "tests/x.ans": "2\n"}))
    assert problem.slug == "sum" and problem.tests[0].output == "2\n"


def test_a_zip_that_escapes_its_folder_is_rejected():
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_zip(zipped({"../evil.md": "x"}))
    assert caught.value.field == "../evil.md"


def test_something_that_is_not_a_zip_is_rejected():
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_zip(b"not a zip")
    assert caught.value.field == "zip"


def test_a_directory_with_two_markdown_files_is_ambiguous(tmp_path):
    write(tmp_path, {"a.md": MARKDOWN, "b.md": MARKDOWN})
    with pytest.raises(ProblemFormatError):
        load_problem_dir(tmp_path)
