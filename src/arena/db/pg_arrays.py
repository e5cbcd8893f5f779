"""PostgreSQL array literals built in one join, for statements that carry tens of thousands of
values (a settlement's 50,000 players): psycopg adapts a Python list element by element in
Python, about ten times slower than writing the literal `{"a","b"}` and casting it server-side."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def text_array(values: Iterable[str | None]) -> str:
    """'{"a","b\\"c",NULL}': every element quoted, backslash and double quote escaped."""
    return "{" + ",".join("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                          for v in values) + "}"


def number_array(values: Iterable[Any]) -> str:
    """'{1,2.5,NULL}': ints and floats as Python writes them (repr round-trips a float8)."""
    return "{" + ",".join("NULL" if v is None else repr(v) for v in values) + "}"
