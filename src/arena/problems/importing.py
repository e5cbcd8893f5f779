"""Import a problem in either format (Kattis/ICPC package, or Markdown with a tests folder) from a
zip upload or a directory. Both go through a Package, so both get the same caps and confinement.

Markdown: one .md with YAML front matter; `tests: <folder>` may name a folder, relative to the
file and inside the package, of NAME.in / NAME.ans pairs.
"""

from __future__ import annotations

from pathlib import Path

from arena.problems.errors import ProblemFormatError
from arena.problems.kattis import KattisPackage, read_kattis_package
from arena.problems.model import Problem, build_problem, split_document
from arena.problems.package import Package, PackageCaps, inside
from arena.problems.package_dir import DirReader
from arena.problems.package_zip import read_zip
from arena.problems.testdata import read_tests

_NOT_PACKAGE_CONTENT = ("__MACOSX", ".")  # what zip tools add next to the one folder zipped


def load_problem_zip(data: bytes, caps: PackageCaps = PackageCaps()) -> Problem:
    """A zip of either format; a single top-level folder in the zip is looked into."""
    return read_problem_zip(data, caps).problem


def read_problem_zip(data: bytes, caps: PackageCaps = PackageCaps()) -> KattisPackage:
    """As load_problem_zip, with what the package holds that is not supported (`ignored`)."""
    package = read_zip(data, caps)
    entries = [name for name in package.top_level() if not name.startswith(_NOT_PACKAGE_CONTENT)]
    if len(entries) == 1 and package.is_dir(entries[0]):
        read = read_package(package.subpackage(entries[0]), entries[0])
    else:
        read = read_package(package, "")  # no folder name: the slug comes from the title
    return read  # its submissions are judged by the judge tier (problems/verifications.py)


def load_problem_dir(path: Path, caps: PackageCaps = PackageCaps()) -> Problem:
    """A Kattis package directory, a directory holding one Markdown problem, or the .md file."""
    return read_problem_dir(path, caps).problem


def read_problem_dir(path: Path, caps: PackageCaps = PackageCaps()) -> KattisPackage:
    """As load_problem_dir, with what a Kattis package says about deriving its time limit (what
    `arena problems import` needs); a Markdown problem always has its limit."""
    if path.is_file():
        return KattisPackage(_load_markdown_file(path, caps), None)
    if not path.is_dir():
        raise ProblemFormatError("package", "no such file or directory")
    reader = DirReader(path, caps)
    return read_package(reader.package(reader.tree()), path.resolve().name)


def read_package(package: Package, folder: str) -> KattisPackage:
    """folder is the package's own name (the Kattis slug), "" if it has none."""
    if package.is_file("problem.yaml"):
        return read_kattis_package(package, slug=folder)
    documents = [name for name in package.top_level() if name.endswith(".md") and package.is_file(name)]
    if len(documents) != 1:
        raise ProblemFormatError("package", "expected problem.yaml or exactly one .md file, "
                                            f"found {len(documents)} .md files")
    return KattisPackage(load_markdown(package, documents[0]), None)


def load_markdown(package: Package, document: str) -> Problem:
    meta, statement = split_document(package.read_text(document))
    folder = _tests_folder(meta, document)
    if folder is not None:
        if not package.is_dir(folder):
            raise ProblemFormatError("tests", f"folder {meta['tests']!r} not found next to {document}")
        meta["tests"] = read_tests(package, folder)
    return build_problem({**meta, "statement": statement}, source=document)


def _tests_folder(meta: dict, document: str) -> str | None:
    tests = meta.get("tests")
    return inside(document.rpartition("/")[0], tests, "tests") if isinstance(tests, str) else None


def _load_markdown_file(path: Path, caps: PackageCaps) -> Problem:
    # Only the document and the folder it names are read, not every file next to it.
    reader = DirReader(path.parent, caps)
    folder = _tests_folder(split_document(reader.package([path.name]).read_text(path.name))[0], path.name)
    files = [path.name] + (reader.tree(folder) if folder is not None else [])
    return load_markdown(reader.package(files), path.name)


def packages_below(path: Path) -> list[Path]:
    """What `arena problems import PATH` imports: PATH itself when it is a problem (a .md file, a
    folder with problem.yaml or exactly one .md), else every problem below it (a folder of
    packages: its .md files and, searched the same way, its folders). Hidden entries are skipped."""
    if not path.exists():
        raise ProblemFormatError("package", "no such file or directory")
    found = [path] if path.is_file() else _below(path)
    if not found:
        raise ProblemFormatError("package", "no problem here: expected problem.yaml, a .md file, "
                                            "or folders of packages")
    return found


def _below(folder: Path) -> list[Path]:
    documents = sorted(p for p in folder.glob("*.md") if p.is_file() and not p.name.startswith("."))
    if (folder / "problem.yaml").is_file() or len(documents) == 1:
        return [folder]
    folders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    return documents + [problem for child in folders for problem in _below(child)]
