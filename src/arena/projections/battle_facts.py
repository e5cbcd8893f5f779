"""A battle's facts for its settlement, read from the event store in one query (PostgreSQL).

The settlement must not read a read model that may lag, and reading 50,000 room players one
aggregate at a time costs a round trip each. So this reads the events the standings need —
every SubmissionReceived and VerdictRecorded of the battle's room players — in one statement,
and decodes only the keys it uses (fields.py: a submission's source is skipped, not built).
The result equals what the room players' aggregates say (tests/integration checks both).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Engine

from arena.domain.battle import Battle
from arena.domain.ranking import Attempt
from arena.domain.room_player import RoomPlayer, room_player_id
from arena.domain.standings import BattleFacts
from arena.projections.fields import FieldDecoder

RECEIVED, JUDGED = get_topic(RoomPlayer.SubmissionReceived), get_topic(RoomPlayer.VerdictRecorded)


class BattleFactsReader:
    def __init__(self, engine: Engine, events_table: str = "arena_events") -> None:
        self.engine = engine
        self.query = (f"SELECT topic, state FROM {events_table} WHERE originator_id = ANY(%s) "
                      "AND topic = ANY(%s) ORDER BY originator_id, originator_version")
        self.received = FieldDecoder(RoomPlayer.SubmissionReceived, ("submission_id", "received_at"))
        self.judged = FieldDecoder(RoomPlayer.VerdictRecorded, (
            "submission_id", "user_id", "problem", "received_at", "verdict", "points"))

    def __call__(self, battle: Battle) -> BattleFacts:
        ids = [room_player_id(battle.id, user) for user in battle.players]
        ended_at = battle.ended_at
        received: dict[str, Any] = {}
        judged: dict[str, dict[str, Any]] = {}  # the last verdict of each submission stands
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            cursor.execute(self.query, (ids, [RECEIVED, JUDGED]), binary=True)
            for topic, state in cursor:
                if topic == RECEIVED:
                    _, data = self.received(state)
                    received[data["submission_id"]] = data["received_at"]
                else:
                    _, data = self.judged(state)
                    judged[data["submission_id"]] = data
            conn.rollback()  # a read: end its transaction
        attempts = [Attempt(s, d["user_id"], d["problem"], d["received_at"], d["verdict"], d["points"])
                    for s, d in judged.items() if ended_at is None or d["received_at"] <= ended_at]
        awaiting = [s for s, at in received.items()
                    if s not in judged and (ended_at is None or at <= ended_at)]
        return BattleFacts(tuple(battle.players), attempts, awaiting)
