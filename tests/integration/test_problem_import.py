"""`arena problems import` stores Kattis packages and Markdown problems in the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.bootstrap import bootstrap
from arena.cli import main
from arena.settings import ArenaSettings

KATTIS = {
    "problem.yaml": "name: A Plus B\nlimits:\n  memory: 512\n",
    ".timelimit": "2\n",
    "data/sample/1.in": "1 2\n", "data/sample/1.ans": "3\n",
    "data/secret/01.in": "5 5\n", "data/secret/01.ans": "10\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARENA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ARENA_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_a_kattis_package_is_imported_with_its_limits_and_hidden_tests(tmp_path: Path, data_dir: Path,
                                                                       capsys) -> None:
    package = write(tmp_path / "aplusb", KATTIS)
    assert main(["problems", "import", str(package)]) == 0
    assert "aplusb: imported" in capsys.readouterr().out

    arena = bootstrap(ArenaSettings(data_dir=data_dir), judge=False, timers=False)
    try:
        info, problem = arena.problems.read("aplusb")
        assert (problem.title, problem.time_limit_ms, problem.memory_mb) == ("A Plus B", 2000, 512)
        assert [t.output for t in problem.samples] == ["3\n"]
        assert [t.output for t in problem.tests] == ["10\n"]
    finally:
        arena.close()


def test_importing_the_same_package_twice_changes_nothing(tmp_path: Path, data_dir: Path, capsys) -> None:
    package = write(tmp_path / "aplusb", KATTIS)
    main(["problems", "import", str(package)])
    assert main(["problems", "import", str(package)]) == 0
    assert "aplusb: unchanged" in capsys.readouterr().out


def test_a_broken_package_is_reported_and_the_others_still_imported(tmp_path: Path, data_dir: Path,
                                                                   capsys) -> None:
    good = write(tmp_path / "good", KATTIS)
    broken = write(tmp_path / "broken", {**KATTIS, "data/secret/02.in": "1 1\n"})  # no .ans
    assert main(["problems", "import", str(broken), str(good)]) == 1
    captured = capsys.readouterr()
    assert "broken: not imported" in captured.err and "02" in captured.err
    assert "good: imported" in captured.out


def test_finding_5_cli_import_refuses_a_package_that_reaches_outside_it_in_one_line(tmp_path: Path, data_dir: Path,
                                                                                   capsys) -> None:
    write(tmp_path / "outside", {"leak.in": "secret\n", "leak.ans": "secret\n"})
    linked = write(tmp_path / "linked", KATTIS)
    (linked / "data/secret/leak.in").symlink_to(tmp_path / "outside/leak.in")
    (linked / "data/secret/leak.ans").symlink_to(tmp_path / "outside/leak.ans")
    escaping = write(tmp_path / "escaping", {"sum.md": "---\ntitle: Sum\nslug: sum\ntests: ../outside\n---\n"})

    assert main(["problems", "import", str(linked), str(escaping / "sum.md"), str(tmp_path / "missing")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"{linked}: not imported: data/secret/leak.ans: a symlink; packages may not hold symlinks",
        f"{escaping / 'sum.md'}: not imported: tests: '..' would leave the package",
        f"{tmp_path / 'missing'}: not imported: package: no such file or directory",
    ]


def test_finding_7_cli_import_of_limits_that_are_not_numbers_is_one_clear_line(tmp_path: Path, data_dir: Path,
                                                                            capsys) -> None:
    package = write(tmp_path / "p", {**KATTIS, "problem.yaml": "name: X\nlimits: {memory: .inf}\n"})

    assert main(["problems", "import", str(package)]) == 1
    assert capsys.readouterr().err == f"{package}: not imported: limits.memory: must be between 16 and 4096\n"


# Issue 13, item 7: problems the way the CLI and the API agree on them.

MARKDOWN = "---\ntitle: Echo\nslug: echo\ntests:\n  - input: '1'\n    output: '1'\n---\n\nEcho it.\n"


def test_a_folder_of_packages_imports_every_package_below_it(tmp_path: Path, data_dir: Path, capsys) -> None:
    write(tmp_path / "set" / "aplusb", KATTIS)
    write(tmp_path / "set" / "round-2" / "echo", {"echo.md": MARKDOWN})
    write(tmp_path / "set" / "loose", {"one.md": MARKDOWN.replace("echo", "one"),
                                       "two.md": MARKDOWN.replace("echo", "two")})

    assert main(["problems", "import", str(tmp_path / "set")]) == 0

    out = capsys.readouterr().out
    assert all(f"{slug}: imported" in out for slug in ("aplusb", "echo", "one", "two")), out


def test_a_path_that_does_not_exist_or_holds_no_problem_is_an_error(tmp_path: Path, data_dir: Path, capsys) -> None:
    (tmp_path / "empty").mkdir()

    assert main(["problems", "import", str(tmp_path / "missing"), str(tmp_path / "empty")]) == 1

    err = capsys.readouterr().err
    assert "missing: not imported: package: no such file or directory" in err
    assert "empty: not imported: package: expected problem.yaml or exactly one .md file, found 0" in err


def test_a_problem_with_no_tests_is_refused(tmp_path: Path, data_dir: Path, capsys) -> None:
    bare = write(tmp_path, {"bare.md": "---\ntitle: Bare\nslug: bare\n---\nNothing to judge.\n"}) / "bare.md"

    assert main(["problems", "import", str(bare)]) == 1

    assert "tests: a problem needs at least one test" in capsys.readouterr().err


def test_the_same_markdown_document_has_the_same_hash_through_the_api_and_the_cli(
        tmp_path: Path, data_dir: Path, capsys) -> None:
    document = write(tmp_path, {"echo.md": MARKDOWN})

    assert main(["problems", "import", str(document / "echo.md")]) == 0
    arena = bootstrap(ArenaSettings(data_dir=data_dir), judge=False, timers=False)
    try:
        imported = arena.problems.info("echo").sha256
        uploaded, created = arena.problems.upload(MARKDOWN.encode())  # what POST /problems stores
    finally:
        arena.close()
    assert (uploaded.sha256, created) == (imported, False)


def test_parts_of_a_package_not_supported_yet_are_reported_not_dropped(tmp_path: Path, data_dir: Path,
                                                                      capsys) -> None:
    package = write(tmp_path / "aplusb", KATTIS | {
        "problem.yaml": "name: A Plus B\nlanguages: c\nlimits:\n  memory: 512\n  output: 8\n",
        "input_validators/check.py": "print()\n", "attachments/tool.py": "print()\n",
        "data/secret/01.hint": "think\n"})

    assert main(["problems", "import", str(package)]) == 0

    err = capsys.readouterr().err
    for part in ("'languages' is not supported yet", "limits.output is not enforced", "input_validators/",
                 "attachments/", "data/: 1 file(s) other than .in/.ans"):
        assert "warning: ignored: " in err and part in err, (part, err)


def test_a_submission_that_gets_another_verdict_than_its_folder_stops_the_import_unless_forced(
        tmp_path: Path, data_dir: Path, capsys) -> None:
    right = "a, b = map(int, input().split())\nprint(a + b)\n"
    package = write(tmp_path / "aplusb", KATTIS | {"submissions/accepted/sum.py": right,
                                                    "submissions/wrong_answer/sum.py": right})

    assert main(["problems", "import", str(package)]) == 1
    captured = capsys.readouterr()
    assert "submissions/accepted/sum.py: expected AC, got AC" in captured.out
    assert "submissions/wrong_answer/sum.py: expected WA, got AC" in captured.out
    assert "MISMATCH" in captured.out and "not imported" in captured.err

    assert main(["problems", "import", "--force", str(package)]) == 0
    captured = capsys.readouterr()
    assert "aplusb: imported" in captured.out and "imported with --force" in captured.err
