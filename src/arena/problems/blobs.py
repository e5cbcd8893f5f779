"""Problem documents by sha256 on the data volume: immutable, written once, never removed.

The judge process needs only this (no database): a submission event names its problem's hash.
"""

from __future__ import annotations

import os
from pathlib import Path

from arena.domain.errors import NotFound
from arena.problems.model import Problem, parse_markdown


class ProblemBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def by_hash(self, sha256: str) -> Problem:
        path = self._path(sha256)
        if not path.exists():
            raise NotFound(f"no problem document with sha256 {sha256}")
        return parse_markdown(path.read_text("utf-8"))

    def write(self, sha256: str, document: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(document)
        os.replace(partial, path)  # atomic: readers never see half a document

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.md"


class PackageBlobs:
    """Uploaded package zips by sha256, next to the documents: the judge tier re-reads one to
    verify its submissions (the API process never runs them)."""

    def __init__(self, root: Path) -> None:
        self.root = root / "packages"

    def write(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, path)

    def read(self, sha256: str) -> bytes:
        path = self._path(sha256)
        if not path.exists():
            raise NotFound(f"no package with sha256 {sha256}")
        return path.read_bytes()

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.zip"
