"""Test cases from a folder of NAME.in / NAME.ans pairs in a package (Kattis data/, Markdown tests:)."""

from __future__ import annotations

from pydantic import ValidationError

from arena.problems.errors import ProblemFormatError
from arena.problems.model import TestCase
from arena.problems.package import Package


def read_tests(package: Package, folder: str) -> tuple[TestCase, ...]:
    """The pairs under folder, sorted by path; an error names the file at fault."""
    files = package.files_under(folder)
    present = set(files)
    cases = []
    for given in (f for f in files if f.endswith(".in")):
        answer = given.removesuffix(".in") + ".ans"
        if answer not in present:
            raise ProblemFormatError(given, f"no matching {answer.rsplit('/', 1)[-1]}")
        name = given.removeprefix(f"{folder}/" if folder else "").removesuffix(".in")
        try:
            cases.append(TestCase(input=package.read_text(given), output=package.read_text(answer),
                                  name=name))
        except ValidationError as exc:
            first = exc.errors()[0]
            at_fault = {"input": given, "output": answer}.get(str(first["loc"][0]), given)
            raise ProblemFormatError(at_fault, first["msg"]) from None
    for orphan in (f for f in files if f.endswith(".ans")):
        if orphan.removesuffix(".ans") + ".in" not in present:
            raise ProblemFormatError(orphan, "answer without an input")
    return tuple(cases)
