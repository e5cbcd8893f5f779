"""The timers' safety net: re-checks from stored state what the timers should have done.

Delayed messages can be lost with a broker's disk, local timers with a process; this sweep
(at start-up, every 30 s in the embedded default, and in `arena scheduler`) makes it moot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import Engine

from arena.application import ArenaApplication
from arena.domain.errors import DomainError
from arena.domain.room_player import PlayerState
from arena.projections.battles import list_battles


def sweep(app: ArenaApplication, engine: Engine, leave_after: timedelta, now: datetime) -> dict[str, int]:
    """Starts due battles, ends overdue ones, marks long-disconnected players LEFT."""
    done = {"started": 0, "ended": 0, "left": 0}
    for row in list_battles(engine, status="lobby", limit=10_000):
        done["started"] += _quietly(app.start_battle_if_due, UUID(row["id"]))
    for row in list_battles(engine, status="running", limit=10_000):
        battle_id = UUID(row["id"])
        if _quietly(app.end_battle_if_due, battle_id):
            done["ended"] += 1
            continue
        for player in app.room(battle_id):
            away_since = player.disconnected_at
            if player.state is PlayerState.DISCONNECTED and away_since + leave_after <= now:
                done["left"] += _quietly(app.mark_left, player.id, away_since)
    return done


def _quietly(command, *args) -> bool:
    try:
        return bool(command(*args))
    except DomainError:  # raced with another actor: the state moved on
        return False
