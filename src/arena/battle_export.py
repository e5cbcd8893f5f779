"""A battle's final results and its whole event history, as JSON or CSV: what
`arena battles export` writes and GET /battles/{id}/results.csv serves.

Both are read from the event store (battle_log), never from a read model that may lag: the
results are the scoreboard of every event (ranked by domain.ranking, as the live scoreboard
and the settlement rank), the history every event of the battle and its room players in log
order, with its data decoded (a submission's source code included).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic

from arena.domain.battle import Battle
from arena.projections.battle_log import battle_log
from arena.projections.log_reader import Row, decode_state
from arena.projections.scoreboard_history import TOPICS, board, facts_until

RESULT_COLUMNS = ("rank", "user_id", "solved", "penalty", "points", "last_accepted_at")
EVENT_COLUMNS = ("position", "aggregate_id", "version", "event", "timestamp", "data")


def final_results(battle: Battle, engine: Any, recorder: Any) -> list[dict[str, Any]]:
    """The ranked rows of every event so far (final once the battle has ended and been judged)."""
    rows = battle_log(battle, engine, recorder, tuple(TOPICS))
    return board(str(battle.id), facts_until(rows))["rows"]


def history(battle: Battle, engine: Any, recorder: Any) -> list[dict[str, Any]]:
    return [_event(row) for row in battle_log(battle, engine, recorder)]


def results_csv(rows: Iterable[dict[str, Any]]) -> str:
    return _csv(RESULT_COLUMNS, ([_cell(row[c]) for c in RESULT_COLUMNS] for row in rows))


def history_csv(events: Iterable[dict[str, Any]]) -> str:
    return _csv(EVENT_COLUMNS, ([_cell(event[c]) for c in EVENT_COLUMNS] for event in events))


def export_json(battle: Battle, results: list[dict[str, Any]], events: list[dict[str, Any]]) -> str:
    document = {"battle_id": str(battle.id), "status": battle.status.value, "results": results, "events": events}
    return json.dumps(document, default=_json_default, ensure_ascii=False, indent=1) + "\n"


def _event(row: Row) -> dict[str, Any]:
    position, aggregate, version, topic, state = row
    data = decode_state(state)
    timestamp = data.pop("timestamp")
    for key in ("originator_id", "originator_version", "originator_topic"):
        data.pop(key, None)
    # "battle.Started": the aggregate and the event, as the routing keys name them
    try:
        kind = resolve_topic(topic).__qualname__
    except Exception:  # noqa: BLE001 - an event class renamed since: keep its stored topic
        kind = topic
    return {"position": position, "aggregate_id": aggregate, "version": version, "event": kind,
            "timestamp": timestamp, "data": data}


def _csv(header: tuple[str, ...], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":"))
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return str(value)  # Decimal and the like
