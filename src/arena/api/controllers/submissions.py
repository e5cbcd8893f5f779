"""Submissions: their lifecycle and verdict in detail, and their source, for their owner,
admins and auditors (auditors read everything and change nothing)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get
from litestar.exceptions import PermissionDeniedException

from arena.api.auth import User
from arena.api.error_responses import errors
from arena.api.submission_views import SourceView, SubmissionDetail, detail
from arena.bootstrap import Arena
from arena.domain.errors import NotFound
from arena.problems.model import Problem
from arena.projections.submissions import get_submission


def reads_every_submission(user: User) -> bool:
    return user.is_admin or user.is_auditor


class SubmissionController(Controller):
    path = "/submissions"
    tags = ["submissions"]

    @get("/{submission_id:uuid}", sync_to_thread=True, responses=errors(403, 404))
    def show(self, submission_id: UUID, request: Request, arena: Arena) -> SubmissionDetail:
        """The submission and its verdict: the compiler's message, and per test its verdict, time
        and memory; sample tests also show their input, expected and actual output (capped),
        hidden tests no data."""
        row = self._readable(submission_id, request.user, arena)
        return detail(row, _problem(arena, row["problem_sha256"]))

    @get("/{submission_id:uuid}/source", sync_to_thread=True, responses=errors(403, 404))
    def source(self, submission_id: UUID, request: Request, arena: Arena) -> SourceView:
        """The submitted code, from the event store (read models keep only its hash)."""
        row = self._readable(submission_id, request.user, arena)
        code = arena.app.submission_source(UUID(row["room_player_id"]), row["id"])
        return SourceView(**{name: row[name] for name in SourceView.model_fields if name != "source"}, source=code)

    @staticmethod
    def _readable(submission_id: UUID, user: User, arena: Arena) -> dict:
        row = get_submission(arena.engine, str(submission_id))
        if row is None:
            raise NotFound(f"no submission with id {submission_id}")
        if row["user_id"] != user.id and not reads_every_submission(user):
            raise PermissionDeniedException("only the submission's owner or an admin may read it")
        return row


def _problem(arena: Arena, sha256: str | None) -> Problem | None:
    if sha256 is None:  # judged before migration 0007, not rebuilt since
        return None
    try:
        return arena.problems.by_hash(sha256)
    except NotFound:  # the document is gone from the store
        return None
