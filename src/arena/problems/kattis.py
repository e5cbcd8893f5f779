"""Import problems from a Kattis/ICPC problem package or our Markdown format, as a dir or a zip.

Kattis package: problem.yaml (name, limits.memory in MiB, limits.time_limit in seconds or a
.timelimit file, validator_flags with float_tolerance), data/sample/*.in|.ans (samples, shown)
and data/secret/**/*.in|.ans (hidden tests, sorted by path), an optional statement under
problem_statement/ or statement/. Markdown: one .md with YAML front matter; `tests: <folder>`
may name a folder, relative to the file, of NAME.in / NAME.ans pairs.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import yaml
from pydantic import ValidationError

from arena.problems.model import Problem, ProblemFormatError, TestCase, parse_markdown

MAX_ZIP_BYTES = 256 * 1024 * 1024
MAX_ZIP_FILES = 10_000
_FRONT = re.compile(r"\A(---[ \t]*\r?\n)(.*?)(\r?\n---[ \t]*(?:\r?\n|\Z))", re.DOTALL)


def load_problem_dir(path: Path, *, slug: str | None = None) -> Problem:
    """A Kattis package directory, a directory holding one Markdown problem, or the .md file."""
    if path.is_file():
        return _load_markdown(path)
    if (path / "problem.yaml").is_file():
        return load_kattis_package(path, slug=slug)
    documents = sorted(path.glob("*.md"))
    if len(documents) != 1:
        raise ProblemFormatError("package", f"{path.name}: expected problem.yaml or exactly one "
                                            f".md file, found {len(documents)} .md files")
    return _load_markdown(documents[0])


def load_problem_zip(data: bytes) -> Problem:
    """A zip of either format; a single top-level folder in the zip is looked into."""
    with tempfile.TemporaryDirectory(prefix="arena-problem-") as tmp:
        root = Path(tmp)
        _safe_extract(data, root)
        entries = [p for p in root.iterdir() if not p.name.startswith(("__MACOSX", "."))]
        if len(entries) == 1 and entries[0].is_dir():
            return load_problem_dir(entries[0])
        return load_problem_dir(root, slug="")  # no folder name: the slug comes from the title


def load_kattis_package(path: Path, *, slug: str | None = None) -> Problem:
    """A Kattis package directory; its folder name is the slug (Kattis' short name)."""
    meta = _yaml(path / "problem.yaml")
    limits = meta.get("limits") or {}
    if not isinstance(limits, dict):
        raise ProblemFormatError("problem.yaml", "limits must be a mapping")
    samples = _pairs(path, path / "data" / "sample")
    tests = _pairs(path, path / "data" / "secret")
    if not samples and not tests:
        raise ProblemFormatError("data", "no test data: expected data/sample or data/secret")
    title = _title(meta, path)
    fields = {
        "title": title,
        "slug": _slug(path.name if slug is None else slug or title),
        "time_limit_ms": _time_limit_ms(path, limits),
        "memory_mb": int(limits.get("memory", 256)),
        "float_tolerance": _float_tolerance(meta),
        "samples": samples,
        "tests": tests,
        "statement": _statement(path),
    }
    return _build("problem.yaml", {k: v for k, v in fields.items() if v is not None})


def _load_markdown(document: Path) -> Problem:
    text = document.read_text(encoding="utf-8")
    match = _FRONT.match(text)
    folder = None
    if match:
        try:
            meta = yaml.safe_load(match.group(2)) or {}
        except yaml.YAMLError as exc:
            raise ProblemFormatError("front_matter", f"invalid YAML: {exc}") from None
        if isinstance(meta, dict) and isinstance(meta.get("tests"), str):
            folder = document.parent / meta.pop("tests")
            dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
            text = match.group(1) + dumped.rstrip("\n") + match.group(3) + text[match.end():]
    problem = parse_markdown(text)
    if folder is None:
        return problem
    if not folder.is_dir():
        raise ProblemFormatError("tests", f"folder {folder.name!r} not found next to {document.name}")
    return _build("tests", {**problem.model_dump(), "tests": _pairs(document.parent, folder)})


def _pairs(base: Path, folder: Path) -> tuple[TestCase, ...]:
    if not folder.is_dir():
        return ()
    cases = []
    for given in sorted(folder.rglob("*.in")):
        answer = given.with_suffix(".ans")
        name = str(given.relative_to(base))
        if not answer.is_file():
            raise ProblemFormatError(name, f"no matching {answer.name}")
        try:
            cases.append(TestCase(input=given.read_text(encoding="utf-8"),
                                  output=answer.read_text(encoding="utf-8"),
                                  name=str(given.relative_to(folder).with_suffix(""))))
        except UnicodeDecodeError:
            raise ProblemFormatError(name, "test data must be UTF-8 text") from None
    for orphan in sorted(folder.rglob("*.ans")):
        if not orphan.with_suffix(".in").is_file():
            raise ProblemFormatError(str(orphan.relative_to(base)), "answer without an input")
    return tuple(cases)


def _yaml(file: Path) -> dict:
    try:
        meta = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProblemFormatError(file.name, f"invalid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise ProblemFormatError(file.name, "must be a mapping")
    return meta


def _title(meta: dict, path: Path) -> str:
    name = meta.get("name")
    if isinstance(name, dict):  # the 2023-07 format: a name per language
        name = name.get("en") or next(iter(name.values()), None)
    if not name:
        for tex in sorted(path.glob("problem_statement/problem*.tex")):
            found = re.search(r"\\problemname\{(.+?)\}", tex.read_text(encoding="utf-8"))
            if found:
                return found.group(1).strip()
    return str(name or path.name)


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:64]
    if not slug:
        raise ProblemFormatError("slug", f"cannot make a slug from the folder name {name!r}")
    return slug


def _time_limit_ms(path: Path, limits: dict) -> int:
    seconds = limits.get("time_limit")
    marker = path / ".timelimit"
    if seconds is None and marker.is_file():
        seconds = marker.read_text().strip()
    try:
        return round(float(seconds) * 1000) if seconds is not None else 1000
    except ValueError:
        raise ProblemFormatError("limits.time_limit", f"not a number of seconds: {seconds!r}") from None


def _float_tolerance(meta: dict) -> float | None:
    flags = str(meta.get("validator_flags") or "").split()
    for key in ("float_tolerance", "float_absolute_tolerance", "float_relative_tolerance"):
        if key in flags and flags.index(key) + 1 < len(flags):
            try:
                return float(flags[flags.index(key) + 1])
            except ValueError:
                raise ProblemFormatError("validator_flags", f"bad {key} value") from None
    return None


def _statement(path: Path) -> str:
    for pattern in ("statement/problem.en.md", "statement/problem.md", "problem_statement/problem.en.md",
                    "problem_statement/problem.md", "problem_statement/problem.en.tex",
                    "problem_statement/problem.tex"):
        file = path / pattern
        if file.is_file():
            return file.read_text(encoding="utf-8").strip() + "\n"
    return ""


def _build(source: str, fields: dict) -> Problem:
    try:
        return Problem(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or source
        raise ProblemFormatError(field, f"{first['msg']} (from {source})") from None


def _safe_extract(data: bytes, root: Path) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ProblemFormatError("zip", "not a zip archive") from None
    members = archive.infolist()
    if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
        raise ProblemFormatError("zip", "archive too large")
    for member in members:
        name = PurePosixPath(member.filename)
        if name.is_absolute() or ".." in name.parts:
            raise ProblemFormatError(member.filename, "unsafe path in archive")
        if member.is_dir():
            continue
        target = root.joinpath(*name.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(member))
