"""Rejudges (admins): judge a submission, or every judged submission of a battle's problem,
again; 202 with how many were queued. Each verdict comes back as an event of its own beside the
first (docs/adr/0025); the scoreboard, and once settled the ledger, follow through events."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, post
from litestar.status_codes import HTTP_202_ACCEPTED
from pydantic import BaseModel, Field

from arena.api.controllers.battles import ADMIN, acting
from arena.api.error_responses import errors
from arena.bootstrap import Arena
from arena.domain.errors import NotFound
from arena.projections.submissions import get_submission


class RejudgeAccepted(BaseModel):
    count: int = Field(description="how many submissions were queued to be judged again")


class RejudgeController(Controller):
    path = "/admin"
    tags = ["rejudge"]

    # Guards on each route, not the controller: Litestar's OPTIONS answers carry a controller's
    # guards too, and an OPTIONS request has no user for them to look at (a 500).
    @post("/submissions/{submission_id:uuid}/rejudge", guards=ADMIN, status_code=HTTP_202_ACCEPTED,
          sync_to_thread=True, responses=errors(403, 404, 409))
    def rejudge_submission(self, submission_id: UUID, request: Request, arena: Arena) -> RejudgeAccepted:
        """Judges a judged submission's stored source again against its battle's locked problem
        (the battle's owner, co-admins or a superadmin); 409 while it has no first verdict."""
        row = get_submission(arena.engine, str(submission_id))
        if row is None:
            raise NotFound(f"no submission with id {submission_id}")
        count = arena.app.rejudge_submission(UUID(row["room_player_id"]), row["id"], by=acting(request.user))
        return RejudgeAccepted(count=count)

    @post("/battles/{battle_id:uuid}/problems/{slug:str}/rejudge", guards=ADMIN,
          status_code=HTTP_202_ACCEPTED, sync_to_thread=True, responses=errors(403, 404, 409))
    def rejudge_problem(self, battle_id: UUID, slug: str, request: Request, arena: Arena) -> RejudgeAccepted:
        """Judges every judged submission of one problem of a running or ended battle again;
        `count` says how many (0 when none was judged yet)."""
        count = arena.app.rejudge_problem(battle_id, slug, by=acting(request.user))
        return RejudgeAccepted(count=count)
