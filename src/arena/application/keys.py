"""Which aggregates a command decides on, from its arguments by name (retry_on_conflict's
`locking`): the ones it changes. Those it only reads stay unlocked, so that one battle's players
never queue behind each other; the append checks those reads anyway (ADR 9)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from arena.domain.room_player import room_player_id


def the_battle(battle_id: UUID, **_: Any) -> tuple[UUID]:
    return (battle_id,)


def the_room_player(battle_id: UUID, user_id: str, **_: Any) -> tuple[UUID]:
    return (room_player_id(battle_id, user_id),)


def that_room_player(player_id: UUID, **_: Any) -> tuple[UUID]:
    return (player_id,)
