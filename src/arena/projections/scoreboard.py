"""Scoreboard: stores the facts a ranking needs and ranks at read time (arena.domain.ranking).

Facts, not running totals: a battle's scoring, start and end; who joined; every judged attempt.
Deliveries may arrive in any order across aggregates, and verdicts in judging order, so nothing
here depends on what was delivered first. Rules: docs/scoreboard.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from arena.db.tables import (
    scoreboard_attempts,
    scoreboard_battles,
    scoreboard_entries,
    scoreboard_problems,
)
from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.projections.folding import Folded, FoldingProjection, Writers, folds, suffixed
from arena.domain.freeze import shown_attempts
from arena.domain.ranking import Attempt, rank

TABLES = (scoreboard_battles, scoreboard_problems, scoreboard_entries, scoreboard_attempts)


class Scoreboard(FoldingProjection):
    version = 1

    def __init__(self, name: str = "scoreboard", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed(TABLES, suffix)

    @folds(Battle.Created, "settings")
    def battle_created(self, writers: Writers, event: Folded) -> None:
        writers["scoreboard_battles"].insert({
            "battle_id": str(event.originator_id), "scoring": event.data["settings"]["scoring"],
            "status": "draft", "started_at": None, "ended_at": None})

    @folds(Battle.Configured, "changes")
    def battle_configured(self, writers: Writers, event: Folded) -> None:
        if "scoring" in event.data["changes"]:
            writers["scoreboard_battles"].set((str(event.originator_id),), scoring=event.data["changes"]["scoring"])

    @folds(Battle.ProblemAttached, "slug", "points")
    def problem_attached(self, writers: Writers, event: Folded) -> None:
        writers["scoreboard_problems"].insert(
            {"battle_id": str(event.originator_id), "slug": event.data["slug"], "points": event.data["points"]})

    @folds(Battle.ProblemDetached, "slug")
    def problem_detached(self, writers: Writers, event: Folded) -> None:
        writers["scoreboard_problems"].delete((str(event.originator_id), event.data["slug"]))

    @folds(Battle.Started, "at")
    def battle_started(self, writers: Writers, event: Folded) -> None:
        writers["scoreboard_battles"].set((str(event.originator_id),), status="running", started_at=event.data["at"])

    @folds(Battle.Ended, "at")
    def battle_ended(self, writers: Writers, event: Folded) -> None:
        writers["scoreboard_battles"].set((str(event.originator_id),), status="ended", ended_at=event.data["at"])

    @folds(Battle.Cancelled, "at")
    def battle_cancelled(self, writers: Writers, event: Folded) -> None:
        writers["scoreboard_battles"].set((str(event.originator_id),), status="cancelled", ended_at=event.data["at"])

    @folds(RoomPlayer.Joined, "battle_id", "user_id", "at")
    def player_joined(self, writers: Writers, event: Folded) -> None:
        data = event.data
        writers["scoreboard_entries"].insert(
            {"battle_id": str(data["battle_id"]), "user_id": data["user_id"], "joined_at": data["at"]})

    @folds(RoomPlayer.VerdictRecorded, "submission_id", "battle_id", "user_id", "problem", "received_at",
           "verdict", "points")
    def verdict_recorded(self, writers: Writers, event: Folded) -> None:
        data = event.data
        writers["scoreboard_attempts"].insert({
            "submission_id": data["submission_id"], "battle_id": str(data["battle_id"]),
            "user_id": data["user_id"], "problem": data["problem"], "received_at": data["received_at"],
            "verdict": data["verdict"], "points": data["points"]})

    @folds(RoomPlayer.VerdictRevised, "submission_id", "verdict", "points")
    def verdict_revised(self, writers: Writers, event: Folded) -> None:
        """A rejudge's verdict replaces the attempt's: the board ranks each submission's latest."""
        data = event.data
        writers["scoreboard_attempts"].set((data["submission_id"],), verdict=data["verdict"], points=data["points"])


def read_scoreboard(engine: Engine, battle_id: str, suffix: str = "",
                    frozen_at: datetime | None = None) -> dict[str, Any] | None:
    """The ranked scoreboard of one battle, or None when the battle is unknown to it. With
    `frozen_at`, the attempts received from then on are left out (domain.freeze)."""
    battles, problems, entries, attempts = suffixed(TABLES, suffix)
    with engine.connect() as conn:
        battle = conn.execute(select(battles).where(battles.c.battle_id == battle_id)).one_or_none()
        if battle is None:
            return None
        points = dict(conn.execute(select(problems.c.slug, problems.c.points)
                                   .where(problems.c.battle_id == battle_id)).all())
        users = conn.execute(select(entries.c.user_id).where(entries.c.battle_id == battle_id)).scalars()
        facts = [Attempt(r.submission_id, r.user_id, r.problem, r.received_at, r.verdict, r.points)
                 for r in conn.execute(select(attempts).where(attempts.c.battle_id == battle_id))]
        facts = shown_attempts(facts, frozen_at, over=False)
        rows = rank(battle.scoring, battle.started_at, battle.ended_at, list(users), facts, points)
    return {"battle_id": battle_id, "scoring": battle.scoring, "rows": rows}
