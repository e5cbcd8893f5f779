"""A directory given to `arena problems import`, read as a Package with the zip's safety.

Names are listed up front (hidden folders such as .git skipped); contents are read only when a
loader asks, through os.open(O_NOFOLLOW) and counted against PackageCaps. A symlink anywhere in
the package is refused, so a package cannot make the import read a file outside it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from arena.problems.errors import ProblemFormatError
from arena.problems.package import Budget, Package, PackageCaps, normalise

_CHUNK = 1024 * 1024


class DirReader:
    def __init__(self, root: Path, caps: PackageCaps = PackageCaps()) -> None:
        self.root, self.budget = root, Budget(caps)

    def package(self, paths: list[str]) -> Package:
        return Package(paths, self.read)

    def tree(self, folder: str = "") -> list[str]:
        """The files under folder (a normalised path; "" for the whole package), if it is a folder."""
        for depth in range(1, folder.count("/") + 2 if folder else 0):
            self._refuse_symlink("/".join(folder.split("/")[:depth]))
        if not (self.root / folder).is_dir():
            return []
        found = []
        for current, folders, files in os.walk(self.root / folder, onerror=self._walk_failed):
            here = Path(current).relative_to(self.root).as_posix()
            folders[:] = sorted(name for name in folders if not name.startswith("."))
            for name in folders + sorted(files):
                inner = name if here == "." else f"{here}/{name}"
                inner = normalise(inner, inner)
                self._refuse_symlink(inner)
                if name in files:
                    self.budget.entry(inner)
                    found.append(inner)
        return found

    def read(self, path: str) -> bytes:
        self._refuse_symlink(path)
        try:
            fd = os.open(self.root / path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            raise ProblemFormatError(path, exc.strerror or "cannot be read") from None
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ProblemFormatError(path, "not a regular file")
            chunks, size = [], 0
            while chunk := file.read(_CHUNK):
                size += len(chunk)
                self.budget.read(path, size, len(chunk))
                chunks.append(chunk)
        return b"".join(chunks)

    def _refuse_symlink(self, path: str) -> None:
        if (self.root / path).is_symlink():
            raise ProblemFormatError(path, "a symlink; packages may not hold symlinks")

    def _walk_failed(self, error: OSError) -> None:
        where = Path(error.filename or self.root)
        inner = where.relative_to(self.root).as_posix() if where.is_relative_to(self.root) else "package"
        raise ProblemFormatError(inner, error.strerror or "cannot be listed")
