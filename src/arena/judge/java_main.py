"""Where a Java source goes and which class runs it, found from the source as Kattis does, not a
fixed `Main`.

javac insists that a public top-level type live in a file of its name, and `java` needs the class
that holds `main`; the two differ when a public helper class (a `Kattio`) comes with a
package-private class holding `main`. The class to run: the public top-level type with a `main`
method, else any top-level type with one, else `Main`. The file: named after the public top-level
type (there is at most one), else after the class to run. Comments, strings and character literals are blanked first, so
a `class` in a comment or a string does not count, and braces are counted to know what is
top-level (a nested `public static class` is not a file name).
"""

from __future__ import annotations

import re

_NOT_CODE = re.compile(r'//[^\n]*|/\*.*?\*/|"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"'
                       r"|'(?:\\.|[^'\\\n])*'", re.DOTALL)
_DECLARATION = re.compile(r"((?:\b(?:public|final|abstract|strictfp|sealed|non-sealed)\s+)*)"
                          r"\b(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)")
_MAIN = re.compile(r"\bstatic\b[^;{}()=]*\bvoid\s+main\s*\(")
DEFAULT = "Main"


def java_entry(source: str) -> tuple[str, str]:
    """(the source's file name, the class `java` runs)."""
    types = _top_level_types(source)
    main = next((name for name, public, has_main in types if public and has_main), None) \
        or next((name for name, _, has_main in types if has_main), DEFAULT)
    file_stem = next((name for name, public, _ in types if public), main)
    return f"{file_stem}.java", main


def _top_level_types(source: str) -> list[tuple[str, bool, bool]]:
    """(name, public, has a main method) of each top-level class, interface, enum or record."""
    code = _NOT_CODE.sub(lambda m: " " * len(m.group()), source)
    depth = _depths(code)
    top_level = []  # (name, public, has main)
    for match in _DECLARATION.finditer(code):
        if depth[match.start()] != 0:
            continue
        start, end = _body(code, match.end())
        # A main of a nested class is not this class's: `java Outer` would not find it.
        has_main = any(depth[m.start()] == 1 for m in _MAIN.finditer(code, start, end))
        top_level.append((match.group(2), "public" in match.group(1).split(), has_main))
    return top_level


def _depths(code: str) -> list[int]:
    """The brace depth at each character."""
    depths, depth = [], 0
    for char in code:
        depths.append(depth)
        depth += (char == "{") - (char == "}")
    return depths


def _body(code: str, after: int) -> tuple[int, int]:
    """Where the braces that open after `after` start and end (their match, or the end)."""
    start = code.find("{", after)
    if start < 0:
        return len(code), len(code)
    depth = 0
    for index in range(start, len(code)):
        depth += (code[index] == "{") - (code[index] == "}")
        if depth == 0:
            return start, index + 1
    return start, len(code)
