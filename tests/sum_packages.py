"""A Kattis package of the "sum of two numbers" problem, zipped, with the submissions given:
the package the verification tests upload in both topologies."""

from __future__ import annotations

import io
import zipfile

SUM = "a, b = map(int, input().split())\nprint(a + b)\n"


def sum_package(slug: str, problem_yaml: str, **submissions: str) -> bytes:
    """`submissions`: path under submissions/ (e.g. accepted/sum.py) -> source."""
    files = {"problem.yaml": problem_yaml,
             "data/sample/1.in": "1 2\n", "data/sample/1.ans": "3\n",
             "data/secret/1.in": "20 22\n", "data/secret/1.ans": "42\n",
             **{f"submissions/{path}": source for path, source in submissions.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"{slug}/{name}", text)
    return buffer.getvalue()
