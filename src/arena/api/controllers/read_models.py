"""Battle read models: the scoreboard and the room, straight from their projections; the
scoreboard of a past instant from the event store."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import Parameter

from arena.api.auth import User
from arena.api.error_responses import errors
from arena.api.response_models import RoomView
from arena.api.scoreboard_views import ScoreboardView, parse_at, scoreboard_view
from arena.bootstrap import Arena
from arena.domain.battle import BattleStatus
from arena.domain.errors import DomainError, NotFound
from arena.domain.freeze import freeze_starts, shown_attempts
from arena.projections.battle_log import battle_log
from arena.projections.room import read_room
from arena.projections.scoreboard import read_scoreboard
from arena.projections.scoreboard_history import TOPICS, board, facts_until

At = Annotated[str | None, Parameter(min_length=1, max_length=64, description=(
    "the scoreboard as it stood then: an ISO 8601 instant (UTC when no zone is given) or a "
    "notification-log position; computed from the events up to it"))]


def _frozen_at(arena: Arena, battle_id: UUID, user: User) -> datetime | None:
    """When the board froze for this reader: None for the battle's admins, or no freeze."""
    try:
        battle = arena.app.get_battle(battle_id)
    except NotFound:
        return None  # the read model answers 404 below
    if battle.status is not BattleStatus.RUNNING or not battle.settings.freeze_last_s:
        return None
    if user.is_admin:
        try:
            battle.check_admin(user.id, user.is_superadmin)
            return None
        except DomainError:
            pass
    return freeze_starts(battle.ends_at, battle.settings.freeze_last_s)


class BattleReadModelController(Controller):
    path = "/battles"
    tags = ["battles"]

    @get("/{battle_id:uuid}/scoreboard", sync_to_thread=True, responses=errors(400, 404))
    def scoreboard(self, battle_id: UUID, arena: Arena, request: Request, at: At = None) -> ScoreboardView:
        """Players in rank order (rules: docs/scoreboard.md); ties share a rank (1, 2, 2, 4).
        With `at`, as it stood at that instant or log position (404 if the battle did not exist yet).
        While a battle's board is frozen (`freeze_last_s`), only its admins see it whole."""
        if at is None:
            live = read_scoreboard(arena.engine, str(battle_id), frozen_at=_frozen_at(arena, battle_id, request.user))
            if live is None:
                raise NotFound(f"no battle with id {battle_id}")
            return scoreboard_view(live)
        position, instant = parse_at(at)
        battle = arena.app.get_battle(battle_id)
        facts = facts_until(battle_log(battle, arena.engine, arena.app.recorder, tuple(TOPICS)), position, instant)
        if facts.scoring is None:
            raise NotFound(f"battle {battle_id} did not exist yet at {at}")
        facts.attempts = shown_attempts(facts.attempts, _frozen_at(arena, battle_id, request.user), over=False)
        return scoreboard_view(board(str(battle_id), facts), position=facts.position, at=instant)

    @get("/{battle_id:uuid}/room", sync_to_thread=True)
    def room(self, battle_id: UUID, arena: Arena) -> RoomView:
        """Everyone who ever joined, in joining order, with state, last_seen, score, submissions."""
        room = read_room(arena.engine, str(battle_id))
        if room is None:
            raise NotFound(f"no battle with id {battle_id}")
        return room
