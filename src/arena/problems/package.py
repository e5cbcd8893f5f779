"""A problem package as the loaders see it: files by normalised path, and nothing outside them.

Whether it came from a zip upload or a directory given to `arena problems import`, a package is
a set of relative POSIX paths and a way to read one. The loaders never touch a server path, so a
`tests: ../../..` or a symlink cannot reach outside the package, and an error can only ever name
a path inside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from arena.domain.text import check_line
from arena.problems.errors import ProblemFormatError

MiB = 1024 * 1024
_DRIVE = re.compile(r"[A-Za-z]:")


@dataclass(frozen=True)
class PackageCaps:
    """What one package may hold, counted on the bytes actually read or inflated (a zip's
    declared sizes are never trusted). The API and the CLI both use these defaults."""

    total_bytes: int = 128 * MiB  # the stored document holds every test, and the judge loads it
    entry_bytes: int = 64 * MiB
    entries: int = 10_000
    ratio: int = 200  # inflated / compressed bytes of one zip entry; deflate can reach ~1,030
    ratio_after: int = 1 * MiB  # a small entry's ratio says nothing, and costs nothing


class Budget:
    """Counts entries and bytes against the caps while they are read, and stops at the first."""

    def __init__(self, caps: PackageCaps) -> None:
        self.caps, self.entries, self.bytes = caps, 0, 0

    def entry(self, path: str) -> None:
        self.entries += 1
        if self.entries > self.caps.entries:
            raise ProblemFormatError(path, f"the package holds more than {self.caps.entries} files")

    def read(self, path: str, entry_so_far: int, chunk: int, compressed: int | None = None) -> None:
        self.bytes += chunk
        if entry_so_far > self.caps.entry_bytes:
            raise ProblemFormatError(path, f"larger than {self.caps.entry_bytes // MiB} MiB")
        if self.bytes > self.caps.total_bytes:
            raise ProblemFormatError(path, f"the package holds more than {self.caps.total_bytes // MiB} MiB")
        if compressed is not None and entry_so_far > self.caps.ratio_after \
                and entry_so_far > self.caps.ratio * max(compressed, 1):
            raise ProblemFormatError(path, f"compressed more than {self.caps.ratio}:1; refused as a zip bomb")


def shown(name: str) -> str:
    """A name from the package, safe to put in an error (a field, a log line)."""
    return (name if name.isprintable() else ascii(name))[:200]


def normalise(name: str, field: str, *, empty: bool = False) -> str:
    """name as a relative POSIX path inside the package, or ProblemFormatError(field)."""
    try:
        check_line(name)
    except ValueError as exc:
        raise ProblemFormatError(field, str(exc)) from None
    if "\\" in name:
        raise ProblemFormatError(field, "a backslash in a path; paths in a package use '/'")
    if name.startswith("/") or _DRIVE.match(name):
        raise ProblemFormatError(field, "an absolute path; paths must be inside the package")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ProblemFormatError(field, "'..' would leave the package")
    if not parts and not empty:
        raise ProblemFormatError(field, "names no file or folder")
    return "/".join(parts)


def inside(folder: str, relative: str, field: str) -> str:
    """The path `relative` names from `folder`, refused if it would leave the package."""
    path = normalise(relative, field, empty=True)
    return "/".join(part for part in (folder, path) if part)


class Package:
    def __init__(self, paths: Iterable[str], read: Callable[[str], bytes]) -> None:
        self.paths = frozenset(paths)
        self.folders = frozenset(p.rsplit("/", i)[0] for p in self.paths for i in range(1, p.count("/") + 1))
        clash = min(self.paths & self.folders, default=None)
        if clash is not None:
            raise ProblemFormatError(clash, "is both a file and a folder")
        self._read = read

    def is_file(self, path: str) -> bool:
        return path in self.paths

    def is_dir(self, path: str) -> bool:
        return path in self.folders or (path == "" and bool(self.paths))

    def top_level(self) -> list[str]:
        return sorted({path.split("/", 1)[0] for path in self.paths})

    def files_under(self, folder: str) -> list[str]:
        """Every file below folder, sorted by path parts (as Path sorts), so tests keep their order."""
        prefix = f"{folder}/" if folder else ""
        return sorted((p for p in self.paths if p.startswith(prefix)), key=lambda p: p.split("/"))

    def subpackage(self, folder: str) -> Package:
        prefix = f"{folder}/"
        return Package((p[len(prefix):] for p in self.paths if p.startswith(prefix)),
                       lambda path: self._read(prefix + path))

    def read_bytes(self, path: str) -> bytes:
        if path not in self.paths:
            raise ProblemFormatError(path, "not found in the package")
        return self._read(path)

    def read_text(self, path: str) -> str:
        try:
            return self.read_bytes(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProblemFormatError(path, f"not UTF-8 text (byte {exc.start})") from None
