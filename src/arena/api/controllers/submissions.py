"""Submissions: their lifecycle and verdict, for their owner and admins."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.exceptions import PermissionDeniedException

from arena.bootstrap import Arena
from arena.domain.errors import NotFound
from arena.projections.submissions import get_submission


class SubmissionController(Controller):
    path = "/submissions"
    tags = ["submissions"]

    @get("/{submission_id:uuid}", sync_to_thread=True)
    def show(self, submission_id: UUID, request: Request, arena: Arena) -> dict[str, Any]:
        submission = get_submission(arena.engine, str(submission_id))
        if submission is None:
            raise NotFound(f"no submission with id {submission_id}")
        if submission["user_id"] != request.user.id and not request.user.is_admin:
            raise PermissionDeniedException("only the submission's owner or an admin may read it")
        return submission
