"""Uploading a zipped Kattis package over HTTP."""

from __future__ import annotations

import io
import os
import struct
import tempfile
import uuid
import zipfile
import zlib

import pytest

from helpers import assert_problem_details


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def kattis_package(slug: str) -> bytes:
    return zipped({
        f"{slug}/problem.yaml": "name: Zipped\n",
        f"{slug}/data/sample/1.in": "1\n", f"{slug}/data/sample/1.ans": "1\n",
        f"{slug}/data/secret/1.in": "2\n", f"{slug}/data/secret/1.ans": "2\n",
    })


def test_an_admin_uploads_a_zipped_kattis_package(api) -> None:
    slug = f"zipped-{uuid.uuid4().hex[:8]}"
    response = api.post("/problems", user="alice", role="admin", content=kattis_package(slug),
                        headers={"Content-Type": "application/zip"})
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == slug
    shown = api.get(f"/problems/{slug}", user="alice", role="admin").json()
    assert (shown["title"], len(shown["samples"]), len(shown["tests"])) == ("Zipped", 1, 1)


def test_a_zip_that_is_not_a_problem_package_is_a_422_naming_what_is_wrong(api) -> None:
    response = api.post("/problems", user="alice", role="admin", content=zipped({"readme.txt": "hi"}),
                        headers={"Content-Type": "application/zip"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"]


def test_a_body_that_is_neither_markdown_nor_zip_is_a_415(api) -> None:
    response = api.post("/problems", user="alice", role="admin", content=b"{}",
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    assert response.json()["status"] == 415


# --- issue 10: a package cannot make the server read, inflate or say more than it should ------

MiB = 1024 * 1024
ZIP = {"Content-Type": "application/zip"}
KATTIS = {"problem.yaml": "name: Zipped\n", "data/sample/1.in": "1\n", "data/sample/1.ans": "1\n",
          "data/secret/1.in": "2\n", "data/secret/1.ans": "2\n"}


def bomb(name: str, mebibytes: int, declared: int) -> bytes:
    """One deflated entry holding `mebibytes` MiB of zeros while declaring `declared` bytes."""
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = block.compress(bytes(MiB)) + block.flush(zlib.Z_FULL_FLUSH)
    data, encoded = one * mebibytes + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, 0, len(data), declared,
                        len(encoded), 0) + encoded
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, 0, len(data), declared,
                          len(encoded), 0, 0, 0, 0, 0, 0) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end


def refused(api, content: bytes) -> dict:
    """A 422 problem-details body that names the field and no path on the server."""
    response = api.post("/problems", user="alice", role="admin", content=content, headers=ZIP)
    body = assert_problem_details(response, 422)
    for server_path in {str(api.settings.data_dir), tempfile.gettempdir(), os.getcwd(), "arena-problem-"}:
        assert server_path not in response.text, response.text
    assert body["field"]
    return body


def test_finding_5_zip_bomb_is_refused_without_inflating_it(api) -> None:
    data = bomb("bomb/data/secret/1.in", mebibytes=150, declared=10)  # 150 MiB in ~150 KB
    assert len(data) < api.settings.max_problem_bytes

    assert refused(api, data)["field"] == "bomb/data/secret/1.in"


def test_finding_5_tests_path_outside_the_package_is_refused(api) -> None:
    document = "---\ntitle: Sum\nslug: sum\ntests: ../../../../etc\n---\n\nAdd.\n"
    body = refused(api, zipped({"sum/sum.md": document, "sum/tests/a.in": "1", "sum/tests/a.ans": "1"}))

    assert body["field"] == "tests" and "leave the package" in body["detail"]


def test_finding_5_a_zip_entry_outside_the_package_is_refused(api) -> None:
    assert refused(api, zipped({"../../evil.md": "x"}))["field"] == "../../evil.md"


@pytest.mark.parametrize("limits", ["{memory: abc}", "{memory: .inf}", "{time_limit: 1e308}", "[1]"])
def test_finding_7_kattis_limits_that_are_not_numbers_are_a_422_naming_the_field(api, limits: str) -> None:
    package = zipped({f"lim/{k}": v for k, v in {**KATTIS, "problem.yaml": f"name: X\nlimits: {limits}\n"}.items()})

    assert refused(api, package)["field"].startswith("limits")


def test_finding_7_yaml_nested_50000_deep_is_a_422(api) -> None:
    package = zipped({f"deep/{k}": v for k, v in {**KATTIS, "problem.yaml": "name: " + "[" * 50_000 + "]" * 50_000}.items()})

    assert refused(api, package)["field"] == "problem.yaml"


def test_finding_7_a_non_utf8_statement_is_a_422_naming_the_file(api) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in KATTIS.items():
            archive.writestr(f"utf/{name}", text)
        archive.writestr("utf/problem_statement/problem.en.tex", b"Caf\xe9\n")

    assert refused(api, buffer.getvalue())["field"] == "problem_statement/problem.en.tex"


def test_finding_7_a_zip_entry_named_dot_is_a_422(api) -> None:
    assert refused(api, zipped({**KATTIS, ".": "x"}))["field"] == "."


def test_finding_7_a_zip_entry_that_is_a_file_and_a_folder_is_a_422(api) -> None:
    package = zipped({"pkg/data": "x", **{f"pkg/{k}": v for k, v in KATTIS.items()}})

    assert refused(api, package)["field"] == "pkg/data"


def test_finding_1_a_control_character_in_a_packaged_title_is_a_422_naming_the_title(api) -> None:
    package = zipped({f"nul/{k}": v for k, v in {**KATTIS, "problem.yaml": 'name: "Zip\\0ped"\n'}.items()})

    assert refused(api, package)["field"] == "title"


def test_finding_1_a_control_character_in_a_markdown_upload_is_a_422_naming_the_field(api) -> None:
    response = api.post("/problems", user="alice", role="admin", headers={"Content-Type": "text/markdown"},
                        content=b"---\ntitle: \"Sum\\x1b[2J\"\nslug: sum-ctl\n---\n\nAdd.\n")

    assert assert_problem_details(response, 422)["field"] == "title"


def test_a_problem_with_no_tests_is_a_422_naming_the_tests(api) -> None:
    slug = f"bare-{uuid.uuid4().hex[:8]}"
    response = api.post("/problems", user="alice", role="admin",
                        content=f"---\ntitle: Bare\nslug: {slug}\n---\nNothing to judge.\n".encode(),
                        headers={"Content-Type": "text/markdown"})
    assert_problem_details(response, 422)
    assert response.json()["field"] == "tests"


def test_an_upload_says_which_parts_of_a_package_are_not_supported(api) -> None:
    slug = f"partly-{uuid.uuid4().hex[:8]}"
    package = zipped({f"{slug}/problem.yaml": "name: Partly\n", f"{slug}/include/lib.h": "int x;\n",
                      f"{slug}/data/secret/1.in": "2\n", f"{slug}/data/secret/1.ans": "2\n"})
    response = api.post("/problems", user="alice", role="admin", content=package,
                        headers={"Content-Type": "application/zip"})
    assert response.status_code == 201, response.text
    assert response.json()["ignored"] == ["include/: code added to submissions, not supported yet"]
