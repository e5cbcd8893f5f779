"""Problem store: documents content-addressed on the data volume, a catalog row per slug.

Blobs are immutable and never removed: a battle locks a problem by its sha256, and auditors
must be able to read exactly what was judged. Deleting a problem removes its slug only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select, update

from arena.db.tables import problems

from arena.domain.errors import DomainError, NotFound
from arena.problems.blobs import ProblemBlobs
from arena.problems.model import Problem, ProblemFormatError, content_hash, parse_markdown, render_markdown
from arena.problems.kattis import KattisPackage
from arena.problems.verifications import PASSED, VerificationRecord, Verifications


@dataclass(frozen=True)
class ProblemInfo:
    slug: str
    sha256: str
    title: str
    points: int
    size: int
    uploaded_at: datetime


class ProblemStore:
    def __init__(self, engine: Engine, root: Path, clock: Callable[[], datetime],
                 in_use_by: Callable[[str], list[str]]) -> None:
        self.engine = engine
        self.blobs = ProblemBlobs(root)
        self.clock = clock
        self.in_use_by = in_use_by  # slug -> ids of battles, not ended, that use it
        self.verifications = Verifications(engine, root, clock)

    def upload(self, document: bytes) -> tuple[ProblemInfo, bool]:
        """Stores a Markdown document; returns its info and whether anything changed."""
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError:
            raise ProblemFormatError("document", "not UTF-8 text") from None
        return self.import_problem(parse_markdown(text))

    def import_problem(self, problem: Problem) -> tuple[ProblemInfo, bool]:
        """Stores a problem in its canonical Markdown form, however it came (an upload, a zip, the
        CLI): the same problem has the same hash whichever way it arrived."""
        document = render_markdown(problem).encode("utf-8")
        sha256 = content_hash(document)
        self.blobs.write(sha256, document)
        current = self._row(problem.slug)
        if current is not None and current.sha256 == sha256:
            return current, False
        info = ProblemInfo(problem.slug, sha256, problem.title, problem.points, len(document), self.clock())
        with self.engine.begin() as conn:
            conn.execute(delete(problems).where(problems.c.slug == info.slug))
            conn.execute(insert(problems).values(**info.__dict__))
        return info, True

    def import_package(self, package: KattisPackage, zipped: bytes, *, verify: bool,
                       force: bool) -> tuple[ProblemInfo, bool, VerificationRecord | None]:
        """Stores an uploaded package's problem and, when it has submissions to judge or a time
        limit to derive, keeps the zip and asks the judge tier to verify it (or records that
        it is not verified, verify=False). The same package again keeps its verification."""
        info, created = self.import_problem(package.problem)
        if package.time_rule is None and not package.expected:
            return info, created, None
        record = self.verifications.request(info.slug, info.sha256, zipped, force=force, verify=verify)
        if record.status == PASSED and record.verified_sha256 not in (None, info.sha256):
            # uploaded again after its time limit was derived: the verified version stays current
            self.replace_verified(info.slug, info.sha256, self.by_hash(record.verified_sha256))
            info, created = self.info(info.slug), False
        return info, created, record

    def replace_verified(self, slug: str, uploaded_sha256: str, problem: Problem) -> str:
        """Stores the verified version of an uploaded problem (its derived time limit) and points
        the slug at it, unless the slug was uploaded again meanwhile; returns its sha256."""
        document = render_markdown(problem).encode("utf-8")
        sha256 = content_hash(document)
        self.blobs.write(sha256, document)
        with self.engine.begin() as conn:
            conn.execute(update(problems).where(problems.c.slug == slug, problems.c.sha256 == uploaded_sha256)
                         .values(sha256=sha256, size=len(document)))
        return sha256

    def lobby_blockers(self, hashes: dict[str, str]) -> list[str]:
        """Why these problem versions (slug -> sha256) may not be locked in a lobby."""
        return self.verifications.blockers(hashes)

    def list(self) -> list[ProblemInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(problems).order_by(problems.c.slug)).all()
        return [ProblemInfo(**row._mapping) for row in rows]

    def info(self, slug: str) -> ProblemInfo:
        row = self._row(slug)
        if row is None:
            raise NotFound(f"no problem with slug {slug!r}")
        return row

    def read(self, slug: str) -> tuple[ProblemInfo, Problem]:
        info = self.info(slug)
        return info, self.by_hash(info.sha256)

    def by_hash(self, sha256: str) -> Problem:
        return self.blobs.by_hash(sha256)

    def delete(self, slug: str) -> None:
        self.info(slug)
        battles = self.in_use_by(slug)
        if battles:
            raise ProblemInUse(f"problem {slug!r} is used by battles that have not ended: {', '.join(battles)}")
        with self.engine.begin() as conn:
            conn.execute(delete(problems).where(problems.c.slug == slug))

    def _row(self, slug: str) -> ProblemInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(problems).where(problems.c.slug == slug)).one_or_none()
        return None if row is None else ProblemInfo(**row._mapping)


class ProblemInUse(DomainError):
    pass
