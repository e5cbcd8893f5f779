"""What a package's own submissions must get: the folder a submission sits in names its verdict.

problemtools and the format's spec: submissions/accepted (AC), wrong_answer (WA),
time_limit_exceeded (TLE), run_time_error (RE); the 2023-07 draft adds memory_limit_exceeded,
output_limit_exceeded, compile_error and rejected (anything but AC). Other folders (brute_force,
partially_accepted, ...) are listed as not checked rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

from arena.problems.package import Package
from arena.problems.time_limit import PackageSubmission, submissions

EXPECTED = {"accepted": "AC", "wrong_answer": "WA", "time_limit_exceeded": "TLE",
            "run_time_error": "RE", "memory_limit_exceeded": "MLE",
            "output_limit_exceeded": "OLE", "compile_error": "CE", "rejected": "rejected"}


@dataclass(frozen=True)
class ExpectedSubmission:
    submission: PackageSubmission
    expected: str  # a Verdict's value, or "rejected" (any verdict but AC)

    def matches(self, verdict: str) -> bool:
        return verdict != "AC" if self.expected == "rejected" else verdict == self.expected


def expected_submissions(package: Package) -> tuple[tuple[ExpectedSubmission, ...], tuple[str, ...]]:
    """Every submission with its expected verdict, accepted ones first (they fix the time
    limit); and the folders under submissions/ whose verdict we do not check."""
    found, unchecked = [], []
    folders = sorted({p.split("/")[1] for p in package.files_under("submissions") if p.count("/") >= 2})
    for folder in sorted(folders, key=lambda f: f != "accepted"):
        if folder not in EXPECTED:
            unchecked.append(f"submissions/{folder}")
            continue
        found += [ExpectedSubmission(s, EXPECTED[folder])
                  for s in submissions(package, f"submissions/{folder}")]
    return tuple(found), tuple(unchecked)
