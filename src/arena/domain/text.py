"""Text that crosses the edge (API bodies and queries, problem files, packages), checked once.

PostgreSQL refuses NUL in text, and control characters in titles or slugs break logs, terminals
and CSV exports long after the request that brought them was answered 200. So text is refused
where it enters: no C0 control character (nor DEL) except tab, newline and carriage return in
text that may span lines, and a length cap on everything.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

_CONTROL_ANYWHERE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, \n, \r are text here


def check_line(value: str) -> str:
    """A single line: no control characters at all."""
    found = _CONTROL_ANYWHERE.search(value)
    if found:
        raise ValueError(f"control character {found.group()!r} at offset {found.start()} is not allowed")
    return value


def check_lines(value: str) -> str:
    """Text that may span lines: tab, newline and carriage return only."""
    found = _CONTROL_IN_LINES.search(value)
    if found:
        raise ValueError(f"control character {found.group()!r} at offset {found.start()} is not allowed")
    return value


def Line(max_length: int, min_length: int = 0) -> type[str]:  # noqa: N802 (a type factory)
    """A single line of at most max_length characters, for pydantic models."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length),  # type: ignore[return-value]
                     AfterValidator(check_line)]


def Lines(max_length: int, min_length: int = 0) -> type[str]:  # noqa: N802
    """Text of at most max_length characters that may span lines, for pydantic models."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length),  # type: ignore[return-value]
                     AfterValidator(check_lines)]
