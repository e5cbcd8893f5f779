"""A problem: statement, limits, points, tests and how outputs are validated, parsed from Markdown
with YAML front matter.

The stored form of every problem is one Markdown document (tests and a custom output validator's
source files inline in the front matter), so its sha256 names everything a battle locks:
statement, limits, tests and the validator.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from arena.domain.text import Line, Lines, check_line
from arena.problems.errors import ProblemFormatError
from arena.problems.yaml_loader import load_yaml

SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"
TIME_LIMIT_MS = (50, 60_000)
MEMORY_MB = (16, 4096)
MAX_TEST_CHARS = 64 * 1024 * 1024  # a package entry holds at most 64 MiB (PackageCaps.entry_bytes)
MAX_STATEMENT_CHARS = 1_000_000
MAX_VALIDATOR_FILE_CHARS = 4 * 1024 * 1024  # testlib.h is ~200 KB
VALIDATOR_LANGUAGES = {".c": "c", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".py": "python"}
_VALIDATOR_FILE = r"^[A-Za-z0-9_.+-]{1,100}$"  # one folder deep, no paths: nothing to escape
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\r?\n)+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


class TestCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    __test__ = False  # not a pytest class

    # Test data is what the judge writes to stdin and compares with stdout, so tab, newline and
    # carriage return are data. Other control characters are refused as in every text at the edge:
    # a test is UTF-8 text in a YAML document shown to players (samples) and admins, not raw bytes,
    # and a NUL or an escape sequence there is far likelier a broken generator than a real test.
    input: Lines(MAX_TEST_CHARS)
    output: Lines(MAX_TEST_CHARS)
    name: Line(200) = ""


class ValidatorFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=_VALIDATOR_FILE)
    text: Lines(MAX_VALIDATOR_FILE_CHARS)


class OutputValidator(BaseModel):
    """A custom output validator (Kattis `output_validators/<name>/`): C, C++ or Python source,
    run as `validator input judge_answer feedback_dir [flags] < team_output`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: tuple[ValidatorFile, ...] = Field(min_length=1, max_length=50)
    flags: tuple[Line(200), ...] = Field((), max_length=50)

    @field_validator("files")
    @classmethod
    def _one_language(cls, files: tuple[ValidatorFile, ...]) -> tuple[ValidatorFile, ...]:
        languages = {VALIDATOR_LANGUAGES.get(_suffix(f.name)) for f in files} - {None}
        if len(languages) != 1:
            raise ValueError("expected the source files of one language: .c, .cpp or .py")
        if len({f.name for f in files}) != len(files):
            raise ValueError("two files of the same name")
        return files

    @property
    def language(self) -> str:
        return next(VALIDATOR_LANGUAGES[_suffix(f.name)] for f in self.files
                    if _suffix(f.name) in VALIDATOR_LANGUAGES)


def _suffix(name: str) -> str:
    return name[name.rfind("."):] if "." in name else ""


class ScoreGroup(BaseModel):
    """How one test group of a scoring problem (Kattis `type: scoring`) adds up, read from its
    testdata.yaml / test_group.yaml (score_groups.py); judge/scoring.py applies it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Line(200) = ""  # under data/: "" (the root), "sample", "secret", "secret/group1"
    aggregation: Literal["sum", "min", "max", "avg", "pass-fail"] = "sum"
    max_score: float | None = Field(None, ge=0, le=1e9)  # 2023-07 and later: the group's score
    accept_score: float = Field(1, ge=-1e9, le=1e9)  # legacy: a passed test's score
    reject_score: float = Field(0, ge=-1e9, le=1e9)
    on_reject: Literal["break", "continue"] = "break"
    verdict: Literal["worst_error", "first_error", "always_accept", "accept_if_any_accepted"] = "worst_error"
    ignore_sample: bool = False


class Problem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Line(200, min_length=1)
    slug: str = Field(pattern=SLUG)
    time_limit_ms: int = Field(1000, ge=TIME_LIMIT_MS[0], le=TIME_LIMIT_MS[1])
    memory_mb: int = Field(256, ge=MEMORY_MB[0], le=MEMORY_MB[1])
    points: int = Field(100, ge=0, le=100_000)
    float_tolerance: float | None = Field(None, gt=0, lt=1)  # absolute or relative
    # The default validator's other flags; Markdown problems compare case-sensitively by default.
    float_absolute_tolerance: float | None = Field(None, gt=0, lt=1e9)
    float_relative_tolerance: float | None = Field(None, gt=0, lt=1)
    case_sensitive: bool = True
    space_change_sensitive: bool = False
    output_validator: OutputValidator | None = None
    # Kattis `type: interactive`: the output validator talks to the submission over pipes.
    interactive: bool = False
    # Kattis `type: scoring`: every test group's rule; empty for a pass-fail problem.
    scoring: tuple[ScoreGroup, ...] = Field((), max_length=1000)
    samples: tuple[TestCase, ...] = ()
    tests: tuple[TestCase, ...] = Field(default=(), description="hidden tests, never shown to players")
    statement: Lines(MAX_STATEMENT_CHARS) = ""
    # Players read a statement once a battle that uses it has started, or at once if public
    # (a practice problem); hidden tests stay hidden either way.
    public: bool = False

    @field_validator("slug", mode="before")
    @classmethod
    def _slug_is_one_line(cls, value: object) -> object:
        # Named before the pattern is tried: "control character '\x00'" says more than "should match".
        return check_line(value) if isinstance(value, str) else value

    @field_validator("statement")
    @classmethod
    def _normalised_statement(cls, value: str) -> str:
        return _statement(value)

    @model_validator(mode="after")
    def _interactive_has_a_validator(self) -> Problem:
        if self.interactive and self.output_validator is None:
            raise ValueError("an interactive problem needs an output_validator to talk to")
        return self

    @property
    def all_tests(self) -> tuple[TestCase, ...]:
        """Samples first, then hidden tests: the order the judge runs them in."""
        return self.samples + self.tests


def parse_markdown(text: str) -> Problem:
    meta, statement = split_document(text)
    return build_problem({**meta, "statement": statement})


def split_document(text: str) -> tuple[dict[str, Any], str]:
    """The front matter, as a mapping, and the Markdown body of a problem document."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ProblemFormatError("front_matter", "the document must start with a '---' YAML block")
    meta = load_yaml(match.group(1), "front_matter") or {}
    if not isinstance(meta, dict):
        raise ProblemFormatError("front_matter", "must be a mapping")
    if "statement" in meta:
        raise ProblemFormatError("statement", "the statement is the Markdown body, not a field")
    return meta, match.group(2)


def build_problem(fields: dict[str, Any], source: str = "front_matter") -> Problem:
    """A Problem, or ProblemFormatError naming the first field at fault (source if none is)."""
    try:
        problem = Problem(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or source
        raise ProblemFormatError(field, first["msg"]) from None
    except TypeError as exc:  # keys that are not strings
        raise ProblemFormatError(source, str(exc)) from None
    if not problem.all_tests:  # nothing to judge with: every submission would be accepted
        raise ProblemFormatError("tests", "a problem needs at least one test (samples or tests)")
    return problem


def render_markdown(problem: Problem) -> str:
    """The canonical stored document: parse_markdown(render_markdown(p)) == p."""
    meta = problem.model_dump(exclude={"statement"}, exclude_none=True, mode="json")
    # Defaults are left out: documents rendered before these fields existed keep their hash.
    for key, default in _OMITTED_DEFAULTS.items():
        if meta.get(key) == default:
            del meta[key]
    for key in ("samples", "tests"):
        meta[key] = [{k: v for k, v in case.items() if k != "name" or v} for case in meta[key]]
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n\n{problem.statement}"


_OMITTED_DEFAULTS = {"public": False, "case_sensitive": True, "space_change_sensitive": False,
                     "interactive": False, "scoring": []}


def _statement(body: str) -> str:
    # Only blank lines go: a statement may open with an indented code block.
    text = _LEADING_BLANK_LINES.sub("", body).rstrip()
    return text + "\n" if text else ""


def content_hash(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()
