"""The one YAML loader for problem files: bounded nesting, no aliases, errors on one line.

yaml.safe_load composes nodes recursively, so 50,000 nested brackets end in a RecursionError (a
500, not a refusal). Aliases let a few lines stand for billions of nodes, or a cycle, once the
result is validated or rendered again. Problem files need neither, so both are refused here.
Size is bounded by the caller: an upload by ARENA_MAX_PROBLEM_BYTES, a package file by its caps.
"""

from __future__ import annotations

from typing import Any

import yaml

from arena.problems.errors import ProblemFormatError

MAX_DEPTH = 32  # the deepest problem file (a test case in a list in the front matter) needs 3


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed",
                                              event.start_mark)
        if self._depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                              event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str, field: str) -> Any:
    """The YAML document in text, or ProblemFormatError(field) saying where it went wrong."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ProblemFormatError(field, f"invalid YAML{where}: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        # ValueError: an int of more than 4,300 digits, or a date like 2024-13-45
        raise ProblemFormatError(field, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
