"""Every projection by name, with its tables: what bootstrap wires and what rebuilds replace.

`build(suffix)` returns a fresh projection; with a suffix it writes to the shadow copies of its
tables (`<table><suffix>`) under the tracking name `<name><suffix>`, so a rebuild never touches
the live read model or its tracking rows until the swap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from sqlalchemy import Table

from arena.db.tables import battle_problems, battles, room_players, submissions
from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.projections.base import Projection
from arena.projections.battles import BattleCatalog
from arena.projections.retarget import Retargeted
from arena.projections.room import RoomState
from arena.projections.scoreboard import TABLES as SCOREBOARD_TABLES
from arena.projections.scoreboard import Scoreboard
from arena.projections.submissions import SubmissionHistory

SHADOW = "__shadow"


@dataclass(frozen=True)
class Registered:
    name: str
    tables: tuple[Table, ...]
    build: Callable[[str], Projection]  # suffix -> projection


def _events_of(aggregate: type[Aggregate]) -> tuple[str, ...]:
    return tuple(get_topic(cls) for cls in vars(aggregate).values()
                 if isinstance(cls, type) and issubclass(cls, Aggregate.Event))


def registry() -> dict[str, Registered]:
    """Built on demand (no work at import time); the order is the order of delivery."""
    catalog_tables = (battles, battle_problems)
    history_topics = (get_topic(RoomPlayer.SubmissionReceived), get_topic(RoomPlayer.VerdictRecorded))
    entries = [
        Registered("battles", catalog_tables, lambda suffix: Retargeted(
            BattleCatalog(), catalog_tables, "battles" + suffix, suffix, _events_of(Battle))),
        Registered("submissions", (submissions,), lambda suffix: Retargeted(
            SubmissionHistory(), (submissions,), "submissions" + suffix, suffix, history_topics)),
        Registered("scoreboard", SCOREBOARD_TABLES,
                   lambda suffix: Scoreboard(name="scoreboard" + suffix, suffix=suffix)),
        Registered("room", (room_players,), lambda suffix: RoomState(name="room" + suffix, suffix=suffix)),
    ]
    return {entry.name: entry for entry in entries}


def live_projections() -> list[Projection]:
    return [entry.build("") for entry in registry().values()]
