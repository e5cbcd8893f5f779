"""A problem: statement, limits, points and tests, parsed from Markdown with YAML front matter.

The stored form of every problem is one Markdown document (tests inline in the front matter),
so its sha256 names everything a battle locks: statement, limits and tests.
"""

from __future__ import annotations

import hashlib
import re

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\r?\n)+")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


class TestCase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    __test__ = False  # not a pytest class

    input: str
    output: str
    name: str = ""


class Problem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    slug: str = Field(pattern=SLUG)
    time_limit_ms: int = Field(1000, ge=50, le=60_000)
    memory_mb: int = Field(256, ge=16, le=4096)
    points: int = Field(100, ge=0, le=100_000)
    float_tolerance: float | None = Field(None, gt=0, lt=1)
    samples: tuple[TestCase, ...] = ()
    tests: tuple[TestCase, ...] = Field(default=(), description="hidden tests, never shown to players")
    statement: str = ""

    @field_validator("statement")
    @classmethod
    def _normalised_statement(cls, value: str) -> str:
        return _statement(value)

    @property
    def all_tests(self) -> tuple[TestCase, ...]:
        """Samples first, then hidden tests: the order the judge runs them in."""
        return self.samples + self.tests


class ProblemFormatError(ValueError):
    """The document is not a valid problem; `field` names the first offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_markdown(text: str) -> Problem:
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ProblemFormatError("front_matter", "the document must start with a '---' YAML block")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise ProblemFormatError("front_matter", f"invalid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise ProblemFormatError("front_matter", "must be a mapping")
    if "statement" in meta:
        raise ProblemFormatError("statement", "the statement is the Markdown body, not a field")
    try:
        return Problem(**meta, statement=match.group(2))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "front_matter"
        raise ProblemFormatError(field, first["msg"]) from None
    except TypeError as exc:  # keys that are not strings
        raise ProblemFormatError("front_matter", str(exc)) from None


def render_markdown(problem: Problem) -> str:
    """The canonical stored document: parse_markdown(render_markdown(p)) == p."""
    meta = problem.model_dump(exclude={"statement"}, exclude_none=True, mode="json")
    for key in ("samples", "tests"):
        meta[key] = [{k: v for k, v in case.items() if k != "name" or v} for case in meta[key]]
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{front}---\n\n{problem.statement}"


def _statement(body: str) -> str:
    # Only blank lines go: a statement may open with an indented code block.
    text = _LEADING_BLANK_LINES.sub("", body).rstrip()
    return text + "\n" if text else ""


def content_hash(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()
