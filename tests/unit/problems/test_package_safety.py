"""Issue 10: what a problem package may make the server do (finding 5, and the package parts of
findings 1 and 7). Every refusal is a ProblemFormatError naming a path inside the package."""

from __future__ import annotations

import io
import os
import struct
import tempfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from arena.problems.importing import load_problem_dir, load_problem_zip
from arena.problems.model import ProblemFormatError
from arena.problems.package import PackageCaps

MiB = 1024 * 1024
KATTIS = {
    "problem.yaml": "name: A Plus B\n",
    "data/sample/1.in": "1 2\n", "data/sample/1.ans": "3\n",
    "data/secret/1.in": "5 5\n", "data/secret/1.ans": "10\n",
}


def zipped(files: dict[str, str | bytes], folder: str = "pkg") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}/{name}" if folder else name, content)
    return buffer.getvalue()


def zeros_deflated(mebibytes: int) -> bytes:
    """Raw deflate of that many MiB of zeros, built from one full-flushed block repeated."""
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = block.compress(bytes(MiB)) + block.flush(zlib.Z_FULL_FLUSH)
    return one * mebibytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def bomb(name: str, mebibytes: int, declared: int) -> bytes:
    """A zip of one deflated entry holding `mebibytes` MiB of zeros but declaring `declared` bytes."""
    data, encoded = zeros_deflated(mebibytes), name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, 0, len(data), declared,
                        len(encoded), 0) + encoded
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, 0, len(data), declared,
                          len(encoded), 0, 0, 0, 0, 0, 0) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end


def refused_zip(data: bytes, caps: PackageCaps = PackageCaps()) -> ProblemFormatError:
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_zip(data, caps)
    assert tempfile.gettempdir() not in str(caught.value) and os.getcwd() not in str(caught.value)
    return caught.value


def refused_dir(path: Path) -> ProblemFormatError:
    with pytest.raises(ProblemFormatError) as caught:
        load_problem_dir(path)
    assert str(path.parent) not in str(caught.value)
    return caught.value


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content.encode() if isinstance(content, str) else content)
    return root


# --- finding 5: bombs ------------------------------------------------------------------------

def test_finding_5_zip_bomb_is_refused_without_inflating_it() -> None:
    data = bomb("pkg/data/secret/1.in", mebibytes=1024, declared=10)  # 1 MB declaring 10 B, 1 GiB
    assert len(data) < 2 * MiB
    tracemalloc.start()
    try:
        error = refused_zip(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.field == "pkg/data/secret/1.in"
    assert peak < 16 * MiB


def test_finding_5_a_bomb_that_declares_its_size_is_refused_by_the_entry_cap_before_inflating() -> None:
    assert "declares more than" in refused_zip(bomb("pkg/1.in", mebibytes=1, declared=2**31)).message


def test_finding_5_a_bomb_within_the_entry_cap_is_stopped_by_the_ratio_counted_while_inflating() -> None:
    error = refused_zip(bomb("pkg/data/secret/1.in", mebibytes=40, declared=40 * MiB))

    assert (error.field, "zip bomb" in error.message) == ("pkg/data/secret/1.in", True)


def test_finding_5_the_total_and_the_entry_count_are_capped_on_what_is_actually_read() -> None:
    package = zipped({**KATTIS, "data/secret/2.in": "x" * 3000, "data/secret/2.ans": "y"})
    caps = PackageCaps(total_bytes=2000, entry_bytes=10_000)
    assert "more than" in refused_zip(package, caps).message
    assert "more than 3 files" in refused_zip(package, PackageCaps(entries=3)).message


# --- finding 5: paths ------------------------------------------------------------------------

MARKDOWN = "---\ntitle: Sum\nslug: sum\ntests: {folder}\n---\n\nAdd them.\n"


@pytest.mark.parametrize("folder", ["../../..", "/etc", "tests/../../x", "C:/tests", "..\\\\tests"])
def test_finding_5_tests_path_outside_the_package_is_refused(folder: str) -> None:
    error = refused_zip(zipped({"sum.md": MARKDOWN.format(folder=folder), "tests/a.in": "1", "tests/a.ans": "1"}))

    assert error.field == "tests"


@pytest.mark.parametrize("folder", ["../../..", "/etc", "../outside"])
def test_finding_5_tests_path_outside_the_package_is_refused_from_a_directory_too(tmp_path: Path,
                                                                                  folder: str) -> None:
    write(tmp_path / "outside", {"a.in": "secret", "a.ans": "secret"})
    package = write(tmp_path / "pkg", {"sum.md": MARKDOWN.format(folder=folder)})
    assert refused_dir(package).field == "tests"
    assert refused_dir(package / "sum.md").field == "tests"


def test_finding_5_a_symlink_in_a_package_directory_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "outside", {"secret.in": "secret", "secret.ans": "secret"})
    package = write(tmp_path / "aplusb", KATTIS)
    (package / "data/secret/2.in").symlink_to(tmp_path / "outside/secret.in")
    (package / "data/secret/2.ans").symlink_to(tmp_path / "outside/secret.ans")
    assert refused_dir(package).field == "data/secret/2.ans"


def test_finding_5_a_symlinked_data_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "outside", {"1.in": "secret", "1.ans": "secret"})
    package = write(tmp_path / "aplusb", {k: v for k, v in KATTIS.items() if "secret" not in k})
    (package / "data/secret").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert refused_dir(package).field == "data/secret"


def test_finding_5_a_symlink_entry_in_a_zip_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in KATTIS.items():
            archive.writestr(f"pkg/{name}", text)
        link = zipfile.ZipInfo("pkg/data/secret/2.in")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    assert refused_zip(buffer.getvalue()).field == "pkg/data/secret/2.in"


@pytest.mark.parametrize("name", ["/etc/passwd", "../evil.md", "pkg/../../evil.in", "C:/evil.md",
                                  "pkg\\..\\evil.md", "."])
def test_finding_5_a_zip_entry_outside_the_package_or_naming_nothing_is_refused_by_its_name(name: str) -> None:
    assert refused_zip(zipped({**KATTIS, name: "x"}, folder="")).field == name


def test_finding_5_an_entry_path_is_normalised_so_dot_segments_are_harmless() -> None:
    problem = load_problem_zip(zipped({f"./{k}" if k.startswith("data") else k: v for k, v in KATTIS.items()}))

    assert len(problem.tests) == 1


# --- finding 1: control characters in package files ------------------------------------------

def test_finding_1_a_control_character_in_a_kattis_name_is_refused_naming_the_title() -> None:
    error = refused_zip(zipped({**KATTIS, "problem.yaml": 'name: "A\\0B"\n'}))

    assert (error.field, "control character" in error.message) == ("title", True)


def test_finding_1_a_control_character_in_test_data_is_refused_naming_the_file() -> None:
    error = refused_zip(zipped({**KATTIS, "data/secret/1.ans": "10\x00\n"}))

    assert error.field == "data/secret/1.ans"


def test_finding_1_a_control_character_in_a_zip_entry_name_is_refused() -> None:
    assert "control character" in refused_zip(zipped({**KATTIS, "data/secret/\x1b.in": "1"})).message


def test_finding_1_a_control_character_in_validator_flags_is_refused_naming_them() -> None:
    error = refused_zip(zipped({**KATTIS, "problem.yaml": 'name: X\nvalidator_flags: "float_tolerance\\0"\n'}))

    assert error.field == "validator_flags"


# --- finding 7: inputs that used to be a 500 -------------------------------------------------

@pytest.mark.parametrize("limits, field", [
    ("{memory: abc}", "limits.memory"), ("{memory: [1]}", "limits.memory"),
    ("{memory: .inf}", "limits.memory"), ("{memory: 1e308}", "limits.memory"),
    ("{memory: .nan}", "limits.memory"), ("{memory: 512.5}", "limits.memory"),
    ("{time_limit: .inf}", "limits.time_limit"), ("{time_limit: 1e308}", "limits.time_limit"),
    ("{time_limit: 1.0e308}", "limits.time_limit"), ("{time_limit: abc}", "limits.time_limit"),
    ("[1]", "limits"),
])
def test_finding_7_kattis_limits_that_are_not_bounded_numbers_are_refused_by_field(limits: str,
                                                                                  field: str) -> None:
    assert refused_zip(zipped({**KATTIS, "problem.yaml": f"name: X\nlimits: {limits}\n"})).field == field


def test_finding_7_a_timelimit_file_that_is_not_a_number_is_refused_naming_it() -> None:
    assert refused_zip(zipped({**KATTIS, ".timelimit": "1e308\n"})).field == ".timelimit"


def test_finding_7_problem_yaml_nested_50000_deep_is_refused() -> None:
    error = refused_zip(zipped({**KATTIS, "problem.yaml": "name: " + "[" * 50_000 + "]" * 50_000}))

    assert error.field == "problem.yaml"


def test_finding_7_a_non_utf8_statement_is_refused_naming_the_file() -> None:
    error = refused_zip(zipped({**KATTIS, "problem_statement/problem.en.tex": b"Caf\xe9\n"}))

    assert error.field == "problem_statement/problem.en.tex"


def test_finding_7_a_non_utf8_markdown_document_is_refused_naming_it() -> None:
    assert refused_zip(zipped({"sum.md": b"---\ntitle: Caf\xe9\n---\n"})).field == "sum.md"


def test_finding_7_a_zip_entry_that_is_both_a_file_and_a_folder_is_refused() -> None:
    error = refused_zip(zipped({**KATTIS, "data": "x"}))

    assert (error.field, error.message) == ("pkg/data", "is both a file and a folder")


def test_finding_7_a_zip_entry_named_dot_is_refused() -> None:
    assert refused_zip(zipped({**KATTIS, ".": "x"}, folder="")).field == "."
