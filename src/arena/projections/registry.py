"""Every projection by name, with its tables: what bootstrap wires and what rebuilds replace.

`build(suffix)` returns a fresh projection; with a suffix it writes to the shadow copies of its
tables (`<table><suffix>`) under the tracking name `<name><suffix>`, so a rebuild never touches
the live read model or its tracking rows until the swap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table

from arena.db.tables import battle_problems, battles, room_players, submissions
from arena.projections.base import Projection
from arena.projections.battles import BattleCatalog
from arena.projections.ledger import TABLES as LEDGER_TABLES
from arena.projections.ledger import Ledger
from arena.projections.ratings import TABLES as RATINGS_TABLES
from arena.projections.ratings import Ratings
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
    # Which consumer feeds it live: the read models consumer, or the settlement's own steps
    # (the ledger, so that a settlement knows when it is applied; ratings, in log order).
    fed_by: str = "projections"


def registry() -> dict[str, Registered]:
    """Built on demand (no work at import time); the order is the order of delivery."""
    entries = [
        Registered("battles", (battles, battle_problems),
                   lambda suffix: BattleCatalog(name="battles" + suffix, suffix=suffix)),
        Registered("submissions", (submissions,),
                   lambda suffix: SubmissionHistory(name="submissions" + suffix, suffix=suffix)),
        Registered("scoreboard", SCOREBOARD_TABLES,
                   lambda suffix: Scoreboard(name="scoreboard" + suffix, suffix=suffix)),
        Registered("room", (room_players,), lambda suffix: RoomState(name="room" + suffix, suffix=suffix)),
        Registered("ledger", LEDGER_TABLES, lambda suffix: Ledger(name="ledger" + suffix, suffix=suffix),
                   fed_by="settlement"),
        Registered("ratings", RATINGS_TABLES, lambda suffix: Ratings(name="ratings" + suffix, suffix=suffix),
                   fed_by="ratings"),
    ]
    return {entry.name: entry for entry in entries}


def live_projections() -> list[Projection]:
    """What the read models consumer feeds, event by event."""
    return [entry.build("") for entry in registry().values() if entry.fed_by == "projections"]
