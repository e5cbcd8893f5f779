"""Uploading a zipped Kattis package over HTTP."""

from __future__ import annotations

import io
import uuid
import zipfile


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
