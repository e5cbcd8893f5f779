"""Submission history: every submission with its lifecycle (queued -> judged, then rejudging ->
judged again for each rejudge) and timestamps; a row shows the latest verdict (the event store
keeps every one)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select, tuple_

from arena.db.tables import submissions
from arena.domain.room_player import RoomPlayer
from arena.projections.folding import Folded, FoldingProjection, Writers, folds, suffixed
from arena.projections.verdict_details import shown_details


class SubmissionHistory(FoldingProjection):
    # 2: the problem's hash and the verdict's details (migration 0007); 3: a scoring problem's
    # score and groups (0009). Rebuild to fill them in rows judged before.
    version = 3

    def __init__(self, name: str = "submissions", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed((submissions,), suffix)

    @folds(RoomPlayer.SubmissionReceived, "submission_id", "battle_id", "user_id", "problem", "problem_sha256",
           "language", "source_sha256", "received_at")
    def received(self, writers: Writers, event: Folded) -> None:
        data = event.data
        writers["submissions"].insert({
            "id": data["submission_id"], "battle_id": str(data["battle_id"]),
            "room_player_id": str(event.originator_id), "user_id": data["user_id"],
            "problem": data["problem"], "problem_sha256": data["problem_sha256"], "language": data["language"],
            "source_sha256": data["source_sha256"], "status": "queued", "verdict": None, "points": None,
            "received_at": data["received_at"], "judged_at": None, "compile_output": None, "tests": None,
            "time_ms": None, "memory_kb": None, "score": None, "max_score": None, "groups": None})

    @folds(RoomPlayer.VerdictRecorded, "submission_id", "verdict", "points", "judged_at", "details")
    def judged(self, writers: Writers, event: Folded) -> None:
        data = event.data
        writers["submissions"].set((data["submission_id"],), status="judged", verdict=data["verdict"],
                                   points=data["points"], judged_at=data["judged_at"],
                                   **shown_details(data["details"]))
    @folds(RoomPlayer.RejudgeRequested, "submission_id")
    def rejudging(self, writers: Writers, event: Folded) -> None:
        # the previous verdict stays shown until the rejudge's arrives
        writers["submissions"].set((event.data["submission_id"],), status="rejudging")

    @folds(RoomPlayer.VerdictRevised, "submission_id", "verdict", "points", "judged_at", "details")
    def rejudged(self, writers: Writers, event: Folded) -> None:
        self.judged(writers, event)


def get_submission(engine: Engine, submission_id: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(submissions).where(submissions.c.id == submission_id)).one_or_none()
    return None if row is None else dict(row._mapping)


def page_submissions(engine: Engine, battle_id: str, *, user: str | None = None, problem: str | None = None,
                     verdict: str | None = None, after: tuple[datetime, str] | None = None,
                     limit: int = 100) -> list[dict]:
    """A battle's submissions in arrival order (received_at, id), after a key, optionally of one
    user, problem or verdict; keyset paging on submissions_by_battle_time."""
    query = (select(submissions).where(submissions.c.battle_id == battle_id)
             .order_by(submissions.c.received_at, submissions.c.id).limit(limit))
    if user is not None:
        query = query.where(submissions.c.user_id == user)
    if problem is not None:
        query = query.where(submissions.c.problem == problem)
    if verdict is not None:
        query = query.where(submissions.c.verdict == verdict)
    if after is not None:
        query = query.where(tuple_(submissions.c.received_at, submissions.c.id) > tuple_(*after))
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def unjudged_submissions(engine: Engine) -> list[tuple[str, str]]:
    """(room_player_id, submission_id) of every submission still waiting for its verdict (a first
    one, or a rejudge's)."""
    query = (select(submissions.c.room_player_id, submissions.c.id)
             .where(submissions.c.status != "judged").order_by(submissions.c.received_at))
    with engine.connect() as conn:
        return [(row.room_player_id, row.id) for row in conn.execute(query)]
