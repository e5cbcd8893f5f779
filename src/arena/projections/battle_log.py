"""One battle's events from the event store, in log order: the battle's own and those of its
room players, as log rows (position, aggregate id, version, topic, state bytes).

What the time-travel scoreboard and the export read. PostgreSQL: one statement by primary key
(the room players' ids are uuid5 of the battle and each user, battle_facts.room_player_ids);
SQLite (the embedded default, small logs): eventsourcing's reader over the log, filtered here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from arena.domain.battle import Battle
from arena.domain.room_player import room_player_id
from arena.projections.battle_facts import room_player_ids
from arena.projections.log_reader import Row

_EVENTS = """
SELECT notification_id, originator_id::text, originator_version, topic, state FROM {table}
WHERE originator_id = ANY(%(ids)s::uuid[]) AND (cardinality(%(topics)s::text[]) = 0 OR topic = ANY(%(topics)s::text[]))
ORDER BY notification_id
"""
PAGE = 1000


def battle_log(battle: Battle, engine: Engine, recorder: Any, topics: Sequence[str] = (),
               events_table: str = "arena_events") -> list[Row]:
    """Every event of the battle and of its room players (of `topics` only, when given)."""
    if engine.dialect.name == "postgresql":
        ids = room_player_ids(battle.id, battle.players)
        ids = "{" + ",".join(filter(None, [battle.id.hex, ids.strip("{}")])) + "}"
        with engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()
            rows = cursor.execute(_EVENTS.format(table=events_table),
                                  {"ids": ids, "topics": list(topics)}, binary=True).fetchall()
            conn.rollback()  # a read: end its transaction
        return [(position, aggregate, version, topic, bytes(state))
                for position, aggregate, version, topic, state in rows]
    wanted = {str(battle.id), *(str(room_player_id(battle.id, user)) for user in battle.players)}
    rows, start = [], 1
    while True:
        page = recorder.select_notifications(start, PAGE, topics=tuple(topics))
        rows += [(n.id, str(n.originator_id), n.originator_version, n.topic, bytes(n.state))
                 for n in page if str(n.originator_id) in wanted]
        if len(page) < PAGE:
            return rows
        start = page[-1].id + 1
