"""The judge tier's side of an uploaded package's verification (docs/adr/0027): claim a request,
judge the package's submissions with the existing verify code (problems/verify_report.py), store
the derived time limit with the problem version, record the report. Transport-free: `arena
judge` polls with `poll_verifications`, the embedded default's local judge drains on upload.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import structlog

from arena.domain.errors import NotFound
from arena.judge.sandbox import SandboxError
from arena.judge.worker import Judge
from arena.problems.errors import ProblemFormatError
from arena.problems.importing import read_problem_zip
from arena.problems.store import ProblemStore
from arena.problems.verifications import FAILED, PASSED, VerificationRecord, error_report
from arena.problems.verify_report import Verification, verify_package

log = structlog.get_logger("arena.judge")
LEASE = timedelta(minutes=15)  # longer than any package's judging: then another judge retries it


async def verify_next(store: ProblemStore, judge: Judge, lease: timedelta = LEASE) -> bool:
    """Verifies the oldest pending package, if any; returns whether there was one."""
    verifications = store.verifications
    claimed = await asyncio.to_thread(verifications.claim, lease)
    if claimed is None:
        return False
    with structlog.contextvars.bound_contextvars(problem=claimed.slug, problem_sha256=claimed.problem_sha256):
        try:
            data = await asyncio.to_thread(verifications.packages.read, claimed.package_sha256)
            package = await asyncio.to_thread(read_problem_zip, data)
            verification = await verify_package(judge, package)
        except (ProblemFormatError, SandboxError, NotFound) as exc:  # the package's own fault
            await asyncio.to_thread(verifications.finish, claimed, FAILED, error_report(str(exc)))
            log.info("package verification failed", error=str(exc))
            return True
        await asyncio.to_thread(_record, store, claimed, verification)
    return True


def _record(store: ProblemStore, claimed: VerificationRecord, verification: Verification) -> None:
    report = report_of(verification, claimed.force)
    passed = not verification.mismatches or claimed.force
    verified = None
    if passed:
        verified = claimed.problem_sha256
        if verification.derivation is not None:  # the limit derived: a new version of the problem
            verified = store.replace_verified(claimed.slug, claimed.problem_sha256, verification.problem)
    store.verifications.finish(claimed, PASSED if passed else FAILED, report, verified_sha256=verified,
                               time_limit_ms=verification.problem.time_limit_ms)
    log.info("package verified", passed=passed, mismatches=len(verification.mismatches))


def report_of(verification: Verification, force: bool) -> dict[str, Any]:
    """Per file: expected vs got and the time; a mismatch forced through stays as a warning."""
    derivation = verification.derivation
    forced = [f"{row.path}: expected {row.expected}, got {row.got} (accepted with force=true)"
              for row in verification.mismatches] if force else []
    return {
        "rows": [{"path": row.path, "expected": row.expected, "got": row.got, "time_ms": row.time_ms,
                  "score": row.score, "ok": row.ok} for row in verification.rows],
        "warnings": verification.warnings + forced,
        "derived": None if derivation is None else {
            "time_limit_ms": derivation.problem.time_limit_ms, "slowest": derivation.slowest,
            "slowest_ms": derivation.slowest_ms},
        "error": None,
    }


async def poll_verifications(store: ProblemStore, judge: Judge, stop: asyncio.Event,
                             every_s: float = 2.0) -> None:
    """`arena judge`'s loop: verify whatever is pending, then look again every every_s. A failure
    (the database down, a crash in the sandbox) is logged; the claim's lease makes it retried."""
    while not stop.is_set():
        try:
            while not stop.is_set() and await verify_next(store, judge):
                pass
        except Exception:
            log.exception("package verification loop failed; retrying")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)
