"""Verification of uploaded packages: the API process stores the package and a request here; the
judge tier (`arena judge`, or the embedded default's local judge) claims it, judges the
package's submissions in its sandbox and records the report (docs/adr/0027).

One row per uploaded problem version (its sha256). The row is the durable request: a judge that
dies mid-way leaves it claimed, and another claims it again once its lease is over (at most
MAX_ATTEMPTS times). A battle's lobby opens only with problems whose verification passed, was
skipped (`?verify=false`) or was never asked for (Markdown, the CLI's own import).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select, update

from arena.db.tables import problem_verifications as table
from arena.domain.errors import NotFound
from arena.problems.blobs import PackageBlobs
from arena.problems.model import content_hash

PENDING, PASSED, FAILED, SKIPPED = "pending", "passed", "failed", "skipped"
MAX_ATTEMPTS = 3  # a package that crashes the judge tier thrice is failed, not retried forever


@dataclass(frozen=True)
class VerificationRecord:
    problem_sha256: str  # the version uploaded
    slug: str
    package_sha256: str
    force: bool
    status: str
    attempts: int
    verified_sha256: str | None  # the version verified: with the derived time limit, if any
    time_limit_ms: int | None
    report: dict[str, Any] | None
    requested_at: datetime
    claimed_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, row) -> VerificationRecord:
        fields = dict(row._mapping)
        fields["report"] = json.loads(fields["report"]) if fields["report"] else None
        return cls(**fields)


def error_report(error: str) -> dict[str, Any]:
    """The report of a package that could not be judged at all (the same shape as a judged one's)."""
    return {"rows": [], "warnings": [], "derived": None, "error": error}


class Verifications:
    def __init__(self, engine: Engine, root: Path, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.packages = PackageBlobs(root)
        self.clock = clock

    def request(self, slug: str, problem_sha256: str, package: bytes, *, force: bool,
                verify: bool = True) -> VerificationRecord:
        """Stores the package and asks for its verification (or records it skipped). The same
        package with the same flags again keeps the request or report already there."""
        package_sha256 = content_hash(package)
        current = self._row(problem_sha256)
        if verify and current is not None and current.status != SKIPPED \
                and (current.package_sha256, current.force) == (package_sha256, force):
            return current
        self.packages.write(package_sha256, package)
        values = dict(problem_sha256=problem_sha256, slug=slug, package_sha256=package_sha256,
                      force=force, status=PENDING if verify else SKIPPED, attempts=0,
                      requested_at=self.clock(),
                      finished_at=None if verify else self.clock())
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.problem_sha256 == problem_sha256))
            conn.execute(insert(table).values(**values))
        return self._row(problem_sha256)

    def claim(self, lease: timedelta) -> VerificationRecord | None:
        """The oldest pending request nobody holds (or whose holder's lease is over), now held
        by the caller; None when there is none."""
        while True:
            now = self.clock()
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(table).where(table.c.status == PENDING,
                                        or_(table.c.claimed_at.is_(None), table.c.claimed_at <= now - lease))
                    .order_by(table.c.requested_at).limit(1)).one_or_none()
            if row is None:
                return None
            found = VerificationRecord.of(row)
            if found.attempts >= MAX_ATTEMPTS:
                self.finish(found, FAILED, error_report(f"the judge tier failed {found.attempts} times "
                                                        "on this package; upload it again to retry"))
                continue
            held = found.claimed_at
            with self.engine.begin() as conn:
                claimed = conn.execute(
                    update(table).where(table.c.problem_sha256 == found.problem_sha256,
                                        table.c.status == PENDING,
                                        table.c.claimed_at.is_(None) if held is None else table.c.claimed_at == held)
                    .values(claimed_at=now, attempts=table.c.attempts + 1)).rowcount
            if claimed == 1:  # else another judge was faster: look again
                return self._row(found.problem_sha256)

    def finish(self, claimed: VerificationRecord, status: str, report: dict[str, Any], *,
               verified_sha256: str | None = None, time_limit_ms: int | None = None) -> bool:
        """Records the outcome of a claim; False if the request changed meanwhile (uploaded
        again with other flags): that one is judged again, this outcome is dropped."""
        held = claimed.claimed_at
        with self.engine.begin() as conn:
            return conn.execute(
                update(table).where(table.c.problem_sha256 == claimed.problem_sha256,
                                    table.c.status == PENDING,
                                    table.c.claimed_at.is_(None) if held is None else table.c.claimed_at == held)
                .values(status=status, report=json.dumps(report), verified_sha256=verified_sha256,
                        time_limit_ms=time_limit_ms, finished_at=self.clock())).rowcount == 1

    def latest(self, slug: str) -> VerificationRecord:
        with self.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.slug == slug)
                               .order_by(table.c.requested_at.desc()).limit(1)).first()
        if row is None:
            raise NotFound(f"no verification of problem {slug!r} was asked for")
        return VerificationRecord.of(row)

    def blockers(self, hashes: dict[str, str]) -> list[str]:
        """Why each of these problem versions (slug -> sha256) may not be locked in a lobby."""
        with self.engine.connect() as conn:
            rows = [VerificationRecord.of(row) for row in conn.execute(
                select(table).where(table.c.problem_sha256.in_(hashes.values())))]
        by_hash = {row.problem_sha256: row for row in rows}
        reasons = []
        for slug, sha256 in sorted(hashes.items()):
            row = by_hash.get(sha256)
            if row is None or row.status == SKIPPED:
                continue
            if row.status == PENDING:
                reasons.append(f"problem {slug!r}: its package's verification is still pending")
            elif row.status == FAILED:
                reasons.append(f"problem {slug!r}: its package's verification failed "
                               f"(GET /api/v2/problems/{slug}/verification)")
            elif row.verified_sha256 not in (None, sha256):
                reasons.append(f"problem {slug!r}: the version attached was replaced by the verified "
                               "one (with its derived time limit): attach the problem again")
        return reasons

    def _row(self, problem_sha256: str) -> VerificationRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.problem_sha256 == problem_sha256)).one_or_none()
        return None if row is None else VerificationRecord.of(row)
