"""A battle's facts for its settlement, read from the event store in two statements (PostgreSQL).

The settlement must not read a read model that may lag, and reading 50,000 room players one
aggregate at a time costs a round trip each. So this reads the events the standings need by
primary key, and lets PostgreSQL pick the few JSON fields it needs out of each state, so that
neither a submission's source code nor a verdict's per-test details cross the wire:
- every VerdictRecorded of the battle's room players (an attempt each; the last verdict of a
  submission stands);
- the SubmissionReceived events of only those room players that have fewer verdicts than
  submissions (the submissions still awaiting a verdict are among them).
The result equals what the room players' aggregates say (tests/integration checks both).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from hashlib import sha1
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import Engine

from arena.domain.battle import Battle
from arena.domain.ranking import Attempt
from arena.domain.room_player import RoomPlayer
from arena.domain.standings import BattleFacts

RECEIVED, JUDGED = get_topic(RoomPlayer.SubmissionReceived), get_topic(RoomPlayer.VerdictRecorded)

# eventsourcing stores each state as UTF-8 JSON in a bytea; datetimes as {"_type_": ..., "_data_": iso}
_VERDICTS = """
SELECT s->>'submission_id', s->>'user_id', s->>'problem', s->'received_at'->>'_data_', s->>'verdict',
       (s->>'points')::int
FROM (SELECT convert_from(state, 'UTF8')::json AS s FROM {table}
      WHERE originator_id = ANY(%(ids)s::uuid[]) AND topic = %(judged)s
      ORDER BY originator_id, originator_version) AS verdicts
"""
_PENDING = """
SELECT s->>'submission_id', s->'received_at'->>'_data_'
FROM (SELECT convert_from(state, 'UTF8')::json AS s FROM {table}
      WHERE topic = %(received)s AND originator_id IN (
          SELECT originator_id FROM {table}
          WHERE originator_id = ANY(%(ids)s::uuid[]) AND topic IN (%(received)s, %(judged)s)
          GROUP BY originator_id
          HAVING count(*) FILTER (WHERE topic = %(received)s) > count(*) FILTER (WHERE topic = %(judged)s))
     ) AS pending
"""


class BattleFactsReader:
    def __init__(self, engine: Engine, events_table: str = "arena_events") -> None:
        self.engine = engine
        self.verdicts, self.pending = _VERDICTS.format(table=events_table), _PENDING.format(table=events_table)

    def __call__(self, battle: Battle) -> BattleFacts:
        params = {"ids": room_player_ids(battle.id, battle.players), "received": RECEIVED, "judged": JUDGED}
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            judged = {row[0]: row for row in cursor.execute(self.verdicts, params).fetchall()}
            pending = cursor.execute(self.pending, params).fetchall()
            conn.rollback()  # a read: end its transaction
        ended_at, parse = battle.ended_at, datetime.fromisoformat
        attempts = []
        for submission, user, problem, received_at, verdict, points in judged.values():
            at = parse(received_at)
            if ended_at is None or at <= ended_at:
                attempts.append(Attempt(submission, user, problem, at, verdict, points))
        awaiting = [submission for submission, received_at in pending
                    if submission not in judged and (ended_at is None or parse(received_at) <= ended_at)]
        return BattleFacts(tuple(battle.players), attempts, awaiting)


def room_player_ids(battle_id: UUID, users: Iterable[str]) -> str:
    """The room players' ids as a uuid[] literal: domain.room_player_id (uuid5) for each user,
    written out as RFC 4122 does it, three times faster than building 50,000 UUID objects
    (tests/unit checks they are the same ids)."""
    namespace = battle_id.bytes
    ids = []
    for user in users:
        digest = bytearray(sha1(namespace + user.encode()).digest()[:16])
        digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
        digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
        ids.append(digest.hex())
    return "{" + ",".join(ids) + "}"
