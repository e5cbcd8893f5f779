"""Room state: everyone who joined a battle, their presence, score and submission count.

Score is the sum of `points` of their recorded verdicts: the domain awards points only for a
player's first accepted verdict per problem, so the sum needs no knowledge of earlier events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from arena.db.tables import battles, room_players
from arena.domain.room_player import RoomPlayer
from arena.projections.folding import Folded, FoldingProjection, Writers, folds, suffixed


class RoomState(FoldingProjection):
    version = 1

    def __init__(self, name: str = "room", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed((room_players,), suffix)

    @folds(RoomPlayer.Joined, "battle_id", "user_id", "at")
    def joined(self, writers: Writers, event: Folded) -> None:
        data = event.data
        writers["room_players"].insert({
            "room_player_id": str(event.originator_id), "battle_id": str(data["battle_id"]),
            "user_id": data["user_id"], "state": "PRESENT", "joined_at": data["at"],
            "last_seen": data["at"], "score": 0, "submissions": 0})

    @folds(RoomPlayer.Disconnected, "at")
    def disconnected(self, writers: Writers, event: Folded) -> None:
        writers["room_players"].set((str(event.originator_id),), state="DISCONNECTED", last_seen=event.data["at"])

    @folds(RoomPlayer.Reconnected, "at")
    def reconnected(self, writers: Writers, event: Folded) -> None:
        writers["room_players"].set((str(event.originator_id),), state="PRESENT", last_seen=event.data["at"])

    @folds(RoomPlayer.Left)
    def left(self, writers: Writers, event: Folded) -> None:
        writers["room_players"].set((str(event.originator_id),), state="LEFT")

    @folds(RoomPlayer.Completed)
    def completed(self, writers: Writers, event: Folded) -> None:
        writers["room_players"].set((str(event.originator_id),), state="COMPLETED")

    @folds(RoomPlayer.SubmissionReceived, "received_at")
    def submission_received(self, writers: Writers, event: Folded) -> None:
        players, key = writers["room_players"], (str(event.originator_id),)
        players.set(key, last_seen=event.data["received_at"])
        players.add(key, submissions=1)

    @folds(RoomPlayer.VerdictRecorded, "verdict", "points")
    def verdict_recorded(self, writers: Writers, event: Folded) -> None:
        # Solved problems only, as RoomPlayer.score: a scoring problem's partial shares are one
        # per attempt (the best counts) and belong to the points scoreboard, not to this sum.
        if event.data["points"] and event.data["verdict"] == "AC":
            writers["room_players"].add((str(event.originator_id),), score=event.data["points"])

    @folds(RoomPlayer.VerdictRevised, "verdict", "points", "previous_verdict", "previous_points", "score_change")
    def verdict_revised(self, writers: Writers, event: Folded) -> None:
        # The change in solved points, as the aggregate counts them. An event of an older
        # release has none: its accepts' points are compared, as that release did.
        data = event.data
        delta = data.get("score_change")
        if delta is None:
            delta = ((data["points"] if data["verdict"] == "AC" else 0)
                     - (data["previous_points"] if data["previous_verdict"] == "AC" else 0))
        if delta:
            writers["room_players"].add((str(event.originator_id),), score=delta)


def read_room(engine: Engine, battle_id: str, suffix: str = "") -> dict[str, Any] | None:
    """Everyone who ever joined, in joining order; None when the battle is unknown."""
    (table,) = suffixed((room_players,), suffix)
    with engine.connect() as conn:
        status = conn.execute(select(battles.c.status).where(battles.c.id == battle_id)).scalar()
        if status is None:
            return None
        rows = conn.execute(select(table).where(table.c.battle_id == battle_id)
                            .order_by(table.c.joined_at, table.c.user_id))
        players = [{k: v for k, v in row._mapping.items() if k != "battle_id"} for row in rows]
    return {"battle_id": battle_id, "status": status, "players": players}


def battles_joined(engine: Engine, user_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The battles a user joined, newest join first, with their place in each (room_players_by_user)."""
    query = (select(room_players.c.battle_id, battles.c.title, battles.c.status, room_players.c.state,
                    room_players.c.joined_at, room_players.c.score, room_players.c.submissions)
             .join(battles, battles.c.id == room_players.c.battle_id)
             .where(room_players.c.user_id == user_id)
             .order_by(room_players.c.joined_at.desc(), room_players.c.battle_id).limit(limit))
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
