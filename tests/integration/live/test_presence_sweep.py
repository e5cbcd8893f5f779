"""Presence from sockets on the real PostgreSQL: counted across instances, and the sockets of an
instance that stopped beating swept (its players DISCONNECTED unless another instance holds them)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from arena.bootstrap import Arena
from arena.db.tables import live_instances
from arena.domain.room_player import PlayerState
from arena.handlers.presence import DEAD_AFTER, SocketPresence, sweep_dead_instances
from test_live_hub import running_battle


def state(arena: Arena, battle_id: uuid.UUID, user: str) -> PlayerState:
    return arena.app.get_room_player(battle_id, user).state


def test_a_player_is_disconnected_when_their_last_socket_on_any_instance_closes(arena: Arena) -> None:
    ada = f"ada-{uuid.uuid4().hex[:6]}"
    battle_id = running_battle(arena, [ada])
    one, two = (SocketPresence(arena.app, arena.engine, f"i-{uuid.uuid4().hex[:8]}", arena.app.clock)
                for _ in range(2))
    one.heartbeat(), two.heartbeat()
    one.opened(battle_id, ada)
    two.opened(battle_id, ada)
    one.closed(battle_id, ada)
    assert state(arena, battle_id, ada) is PlayerState.PRESENT  # a tab on the other instance
    two.closed(battle_id, ada)
    assert state(arena, battle_id, ada) is PlayerState.DISCONNECTED
    one.opened(battle_id, ada)
    assert state(arena, battle_id, ada) is PlayerState.PRESENT


def test_the_sweep_disconnects_the_players_of_a_dead_instance_only(arena: Arena) -> None:
    ada, bob = f"ada-{uuid.uuid4().hex[:6]}", f"bob-{uuid.uuid4().hex[:6]}"
    battle_id = running_battle(arena, [ada, bob])
    dead, alive = (SocketPresence(arena.app, arena.engine, f"i-{uuid.uuid4().hex[:8]}", arena.app.clock)
                   for _ in range(2))
    dead.heartbeat(), alive.heartbeat()
    dead.opened(battle_id, ada)
    dead.opened(battle_id, bob)
    alive.opened(battle_id, bob)  # bob has a tab on a living instance too
    with arena.engine.begin() as conn:  # the dead one stopped beating long ago
        conn.execute(update(live_instances).where(live_instances.c.instance_id == dead.instance_id)
                     .values(heartbeat_at=arena.app.clock() - DEAD_AFTER - timedelta(seconds=1)))
    assert sweep_dead_instances(arena.app, arena.engine, arena.app.clock()) == 1
    assert state(arena, battle_id, ada) is PlayerState.DISCONNECTED
    assert state(arena, battle_id, bob) is PlayerState.PRESENT
    assert sweep_dead_instances(arena.app, arena.engine, arena.app.clock()) == 0  # once
