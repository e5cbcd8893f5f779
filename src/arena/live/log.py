"""A battle's streamed events read from the event store, up to a known end of the log: what a
resuming socket is sent first, and what an instance's stream of a battle starts from.

The end is read first, then the battle's own events up to it (its PlayerAdmitted events name
its players), then its room players' events up to it: a consistent cut at that position, since
PostgreSQL commits notification ids in order (the append's table lock) and SQLite has one writer.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import Engine

from arena.domain.battle import Battle
from arena.live.stream import TOPICS
from arena.projections.battle_facts import room_player_ids
from arena.projections.log_reader import decode_state

LiveRow = tuple[int, str, str, dict[str, Any]]  # (position, aggregate id as text, topic, data)
ADMITTED = get_topic(Battle.PlayerAdmitted)
_WANTED = (*TOPICS, ADMITTED)
_BY_IDS = ("SELECT notification_id, originator_id::text, topic, state FROM {table} "
           "WHERE originator_id = ANY(%s::uuid[]) AND topic = ANY(%s) AND notification_id <= %s "
           "ORDER BY notification_id")
PAGE = 1000


def log_end(app: Any) -> int:
    return app.recorder.max_notification_id() or 0


def battle_rows(app: Any, engine: Engine, battle_id: UUID, upto: int) -> list[LiveRow]:
    """The battle's streamed events at positions up to `upto`, in log order."""
    table = getattr(app.recorder, "events_table_name", None)
    if engine.dialect.name == "postgresql" and table is not None:
        rows = _select(engine, table, "{" + battle_id.hex + "}", upto)
        users = [data["user_id"] for _, _, topic, data in rows if topic == ADMITTED]
        if users:
            rows += _select(engine, table, room_player_ids(battle_id, users), upto)
            rows.sort(key=lambda row: row[0])
    else:
        rows = _scan(app, battle_id, upto)
    return [row for row in rows if row[2] != ADMITTED]


def _select(engine: Engine, table: str, ids: str, upto: int) -> list[LiveRow]:
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        found = cursor.execute(_BY_IDS.format(table=table), (ids, list(_WANTED), upto), binary=True).fetchall()
        conn.rollback()  # a read: end its transaction
    return [(position, aggregate, topic, decode_state(bytes(state))) for position, aggregate, topic, state in found]


def _scan(app: Any, battle_id: UUID, upto: int) -> list[LiveRow]:
    """The embedded default (SQLite, small logs): the log up to `upto`, filtered here. A room
    player's first event follows its PlayerAdmitted, so its id is known by then."""
    from arena.domain.room_player import room_player_id

    wanted, rows, start = {str(battle_id)}, [], 0
    while start < upto:
        page = app.recorder.select_notifications(start, PAGE, stop=upto, topics=_WANTED, inclusive_of_start=False)
        for n in page:
            if str(n.originator_id) not in wanted:
                continue
            data = decode_state(bytes(n.state))
            if n.topic == ADMITTED:
                wanted.add(str(room_player_id(battle_id, data["user_id"])))
            rows.append((n.id, str(n.originator_id), n.topic, data))
        if len(page) < PAGE:
            break
        start = page[-1].id
    return rows
