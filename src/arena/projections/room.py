"""Room state: everyone who joined a battle, their presence, score and submission count.

Score is the sum of `points` of their recorded verdicts: the domain awards points only for a
player's first accepted verdict per problem, so the sum needs no knowledge of earlier events.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Engine, select

from arena.bus.envelope import EventEnvelope
from arena.db.tables import battles, room_players
from arena.domain.room_player import RoomPlayer
from arena.projections.folding import FoldingProjection, suffixed
from arena.projections.writer import TableWriter

EVENTS = (RoomPlayer.Joined, RoomPlayer.Disconnected, RoomPlayer.Reconnected, RoomPlayer.Left,
          RoomPlayer.Completed, RoomPlayer.SubmissionReceived, RoomPlayer.VerdictRecorded)


class RoomState(FoldingProjection):
    version = 1

    def __init__(self, name: str = "room", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed((room_players,), suffix)
        self.topics = tuple(get_topic(cls) for cls in EVENTS)

    def fold(self, writers: dict[str, TableWriter], event: EventEnvelope) -> None:
        players, data, key = writers["room_players"], event.data, (str(event.originator_id),)
        match event.topic.partition(":")[2]:
            case "RoomPlayer.Joined":
                players.insert({"room_player_id": key[0], "battle_id": str(data["battle_id"]),
                                "user_id": data["user_id"], "state": "PRESENT", "joined_at": data["at"],
                                "last_seen": data["at"], "score": 0, "submissions": 0})
            case "RoomPlayer.Disconnected":
                players.set(key, state="DISCONNECTED", last_seen=data["at"])
            case "RoomPlayer.Reconnected":
                players.set(key, state="PRESENT", last_seen=data["at"])
            case "RoomPlayer.Left":
                players.set(key, state="LEFT")
            case "RoomPlayer.Completed":
                players.set(key, state="COMPLETED")
            case "RoomPlayer.SubmissionReceived":
                players.set(key, last_seen=data["received_at"])
                players.add(key, submissions=1)
            case "RoomPlayer.VerdictRecorded" if data["points"]:
                players.add(key, score=data["points"])


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
