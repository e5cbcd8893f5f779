"""Submission history: every submission with its lifecycle (queued -> judged) and timestamps."""

from __future__ import annotations

from sqlalchemy import Engine, select

from arena.db.tables import submissions
from arena.domain.room_player import RoomPlayer
from arena.projections.folding import Folded, FoldingProjection, Writers, folds, suffixed


class SubmissionHistory(FoldingProjection):
    version = 1

    def __init__(self, name: str = "submissions", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed((submissions,), suffix)

    @folds(RoomPlayer.SubmissionReceived, "submission_id", "battle_id", "user_id", "problem", "language",
           "source_sha256", "received_at")
    def received(self, writers: Writers, event: Folded) -> None:
        data = event.data
        writers["submissions"].insert({
            "id": data["submission_id"], "battle_id": str(data["battle_id"]),
            "room_player_id": str(event.originator_id), "user_id": data["user_id"],
            "problem": data["problem"], "language": data["language"],
            "source_sha256": data["source_sha256"], "status": "queued", "verdict": None, "points": None,
            "received_at": data["received_at"], "judged_at": None})

    @folds(RoomPlayer.VerdictRecorded, "submission_id", "verdict", "points", "judged_at")
    def judged(self, writers: Writers, event: Folded) -> None:
        data = event.data
        writers["submissions"].set((data["submission_id"],), status="judged", verdict=data["verdict"],
                                   points=data["points"], judged_at=data["judged_at"])


def get_submission(engine: Engine, submission_id: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(submissions).where(submissions.c.id == submission_id)).one_or_none()
    return None if row is None else dict(row._mapping)


def unjudged_submissions(engine: Engine) -> list[tuple[str, str]]:
    """(room_player_id, submission_id) of every submission still waiting for its verdict."""
    query = (select(submissions.c.room_player_id, submissions.c.id)
             .where(submissions.c.status != "judged").order_by(submissions.c.received_at))
    with engine.connect() as conn:
        return [(row.room_player_id, row.id) for row in conn.execute(query)]
