"""A battle's submissions, a page at a time: a player reads their own, admins and auditors
every player's, filtered by user, problem or verdict."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Request, get
from litestar.exceptions import PermissionDeniedException
from litestar.params import Parameter, QueryParameter

from arena.api.controllers.battles import shown_to
from arena.api.controllers.submissions import reads_every_submission
from arena.api.error_responses import errors
from arena.api.submission_cursor import decode_submission_cursor, encode_submission_cursor
from arena.api.submission_views import SubmissionPage, summary
from arena.bootstrap import Arena
from arena.projections.submissions import page_submissions

Verdict = Literal["AC", "WA", "TLE", "MLE", "RE", "CE", "OLE", "IE"]  # domain.room_player.VERDICTS
PageLimit = Annotated[int, Parameter(ge=1, le=500, description="at most this many submissions")]


class BattleSubmissionController(Controller):
    path = "/battles"
    tags = ["submissions"]

    @get("/{battle_id:uuid}/submissions", sync_to_thread=True, responses=errors(400, 403, 404))
    def index(self, battle_id: UUID, request: Request, arena: Arena,
              user_filter: Annotated[str | None, QueryParameter(name="user", min_length=1, max_length=200,
                                                                description="only this user's submissions")] = None,
              problem: Annotated[str | None, Parameter(min_length=1, max_length=64,
                                                       description="only this problem's submissions")] = None,
              verdict: Annotated[Verdict | None, Parameter(description="only submissions with this verdict")] = None,
              cursor: Annotated[str | None, Parameter(max_length=300,
                                                      description="next_cursor of the previous page")] = None,
              limit: PageLimit = 100) -> SubmissionPage:
        """The battle's submissions in arrival order, a page at a time. A player reads only their
        own (`user` naming another: 403); admins and auditors read everyone's."""
        shown_to(request.user, arena.app.get_battle(battle_id))  # 404: unknown, or a draft for a player
        if not reads_every_submission(request.user):
            if user_filter not in (None, request.user.id):
                raise PermissionDeniedException("a player may read only their own submissions")
            user_filter = request.user.id
        after = decode_submission_cursor(cursor) if cursor is not None else None
        # One row more than asked: whether it exists says whether there is a next page.
        rows = page_submissions(arena.engine, str(battle_id), user=user_filter, problem=problem, verdict=verdict,
                                after=after, limit=limit + 1)
        page = [summary(row) for row in rows[:limit]]
        last = page[-1] if len(rows) > limit else None
        return SubmissionPage(rows=page, next_cursor=encode_submission_cursor((last.received_at, last.id))
                              if last else None)
