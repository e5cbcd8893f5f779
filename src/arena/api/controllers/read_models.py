"""Battle read models: the scoreboard and the room, straight from their projections."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get

from arena.bootstrap import Arena
from arena.domain.errors import NotFound
from arena.projections.room import read_room
from arena.projections.scoreboard import read_scoreboard


class BattleReadModelController(Controller):
    path = "/battles"
    tags = ["battles"]

    @get("/{battle_id:uuid}/scoreboard", sync_to_thread=True)
    def scoreboard(self, battle_id: UUID, arena: Arena) -> dict[str, Any]:
        """Players in rank order (rules: docs/scoreboard.md); ties share a rank (1, 2, 2, 4)."""
        board = read_scoreboard(arena.engine, str(battle_id))
        if board is None:
            raise NotFound(f"no battle with id {battle_id}")
        return board

    @get("/{battle_id:uuid}/room", sync_to_thread=True)
    def room(self, battle_id: UUID, arena: Arena) -> dict[str, Any]:
        """Everyone who ever joined, in joining order, with state, last_seen, score, submissions."""
        room = read_room(arena.engine, str(battle_id))
        if room is None:
            raise NotFound(f"no battle with id {battle_id}")
        return room
