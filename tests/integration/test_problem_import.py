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
