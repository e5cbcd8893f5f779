"""The timers' safety net: re-checks from stored state what the timers should have done.

Delayed messages can be lost with a broker's disk, local timers with a process; this sweep
(at start-up, every 30 s in the embedded default, and in `arena scheduler`) makes it moot.

One bad battle must not stop it for all the others (a stored start_at that overflowed once made
`arena scheduler` exit on every sweep): it reads only ids from the catalog, and each battle and
each player is handled on its own, any exception logged, counted as `failed` and skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import Engine

from arena.application import ArenaApplication
from arena.domain.errors import DomainError
from arena.domain.room_player import PlayerState
from arena.db.key_retention import forget_keys
from arena.handlers.presence import sweep_dead_instances
from arena.projections.battles import battle_ids

log = structlog.get_logger("arena.sweep")


def sweep(app: ArenaApplication, engine: Engine, leave_after: timedelta, now: datetime,
          keys_kept: timedelta | None = None) -> dict[str, int]:
    """Starts due battles, ends overdue ones, marks long-disconnected players LEFT, disconnects
    the players whose only sockets were on a dead API instance, forgets idempotency keys older
    than `keys_kept`."""
    done = {"started": 0, "ended": 0, "left": 0, "failed": 0}
    for battle_id in battle_ids(engine, status="lobby"):
        done["started"] += bool(_guarded(done, "start", battle_id, app.start_battle_if_due, UUID(battle_id)))
    for battle_id in battle_ids(engine, status="running"):
        if _guarded(done, "end", battle_id, app.end_battle_if_due, UUID(battle_id)):
            done["ended"] += 1
            continue
        for player in _guarded(done, "read room", battle_id, app.room, UUID(battle_id)) or ():
            away_since = player.disconnected_at
            if player.state is PlayerState.DISCONNECTED and away_since + leave_after <= now:
                done["left"] += bool(_guarded(done, "mark left", battle_id, app.mark_left, player.id, away_since))
    # the live sockets of API instances that stopped beating: their players are DISCONNECTED
    done["disconnected"] = _guarded(done, "sweep live sockets", "-", sweep_dead_instances, app, engine, now) or 0
    if keys_kept is not None:
        done["keys_forgotten"] = _guarded(done, "forget old keys", "-", forget_keys, engine, now - keys_kept) or 0
    return done


def _guarded(done: dict[str, int], action: str, battle_id: str, command, *args):
    try:
        return command(*args)
    except DomainError:  # raced with another actor: the state moved on
        return None
    except Exception:  # noqa: BLE001 - one bad row is logged and skipped, never the end of the sweep
        done["failed"] += 1
        log.exception("sweep skipped a battle", action=action, battle_id=battle_id)
        return None
