"""Scoreboard: stores the facts a ranking needs and ranks at read time (ranking.py).

Facts, not running totals: a battle's scoring, start and end; who joined; every judged attempt.
Deliveries may arrive in any order across aggregates, and verdicts in judging order, so nothing
here depends on what was delivered first. Rules: docs/scoreboard.md.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Engine, select

from arena.bus.envelope import EventEnvelope
from arena.db.tables import scoreboard_attempts, scoreboard_battles, scoreboard_entries, scoreboard_problems
from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.projections.folding import FoldingProjection, suffixed
from arena.projections.ranking import Attempt, rank
from arena.projections.writer import TableWriter

TABLES = (scoreboard_battles, scoreboard_problems, scoreboard_entries, scoreboard_attempts)
EVENTS = (Battle.Created, Battle.Configured, Battle.ProblemAttached, Battle.ProblemDetached,
          Battle.Started, Battle.Ended, Battle.Cancelled, RoomPlayer.Joined, RoomPlayer.VerdictRecorded)


class Scoreboard(FoldingProjection):
    version = 1

    def __init__(self, name: str = "scoreboard", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed(TABLES, suffix)
        self.topics = tuple(get_topic(cls) for cls in EVENTS)

    def fold(self, writers: dict[str, TableWriter], event: EventEnvelope) -> None:
        data, battle_id = event.data, (str(event.originator_id),)
        battles = writers["scoreboard_battles"]
        match event.topic.partition(":")[2]:
            case "Battle.Created":
                battles.insert({"battle_id": battle_id[0], "scoring": data["settings"]["scoring"],
                                "status": "draft", "started_at": None, "ended_at": None})
            case "Battle.Configured" if "scoring" in data["changes"]:
                battles.set(battle_id, scoring=data["changes"]["scoring"])
            case "Battle.ProblemAttached":
                writers["scoreboard_problems"].insert(
                    {"battle_id": battle_id[0], "slug": data["slug"], "points": data["points"]})
            case "Battle.ProblemDetached":
                writers["scoreboard_problems"].delete((battle_id[0], data["slug"]))
            case "Battle.Started":
                battles.set(battle_id, status="running", started_at=data["at"])
            case "Battle.Ended":
                battles.set(battle_id, status="ended", ended_at=data["at"])
            case "Battle.Cancelled":
                battles.set(battle_id, status="cancelled", ended_at=data["at"])
            case "RoomPlayer.Joined":
                writers["scoreboard_entries"].insert(
                    {"battle_id": str(data["battle_id"]), "user_id": data["user_id"], "joined_at": data["at"]})
            case "RoomPlayer.VerdictRecorded":
                writers["scoreboard_attempts"].insert({
                    "submission_id": data["submission_id"], "battle_id": str(data["battle_id"]),
                    "user_id": data["user_id"], "problem": data["problem"],
                    "received_at": data["received_at"], "verdict": data["verdict"], "points": data["points"]})


def read_scoreboard(engine: Engine, battle_id: str, suffix: str = "") -> dict[str, Any] | None:
    """The ranked scoreboard of one battle, or None when the battle is unknown to it."""
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
        rows = rank(battle.scoring, battle.started_at, battle.ended_at, list(users), facts, points)
    return {"battle_id": battle_id, "scoring": battle.scoring, "rows": rows}
