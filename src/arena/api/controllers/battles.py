"""Battles: create, configure, attach problems, lobby, join, start, end, cancel, room."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post, delete
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from arena.api.auth import admin_only
from arena.api.schemas import AttachProblem, ConfigureBattle, Reason, Submit
from arena.api.views import battle_view, room_player_view
from arena.bootstrap import Arena
from arena.domain.battle import BattleStatus
from arena.domain.errors import InvalidInput
from arena.domain.settings import BattleSettings
from arena.projections.battles import list_battles

ADMIN = [admin_only]
# Bounded here so that a number PostgreSQL cannot take (offset 2**63) is a 400, not a 500.
Limit = Annotated[int, Parameter(ge=1, le=500, description="at most this many battles")]
Offset = Annotated[int, Parameter(ge=0, le=2**63 - 1, description="skip this many battles")]


class BattleController(Controller):
    path = "/battles"
    tags = ["battles"]

    @post("/", guards=ADMIN, status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create(self, data: BattleSettings, request: Request, arena: Arena) -> dict[str, Any]:
        """Creates a battle in draft; the caller becomes its admin."""
        battle_id = arena.app.create_battle(request.user.id, data)
        return battle_view(arena.app.get_battle(battle_id))

    @get("/", sync_to_thread=True)
    def index(self, arena: Arena, status: BattleStatus | None = None, limit: Limit = 100,
              offset: Offset = 0) -> list[dict[str, Any]]:
        """Lists battles, newest first (optionally only those in one status)."""
        return list_battles(arena.engine, status=status.value if status else None, limit=limit, offset=offset)

    @get("/{battle_id:uuid}", sync_to_thread=True)
    def show(self, battle_id: UUID, arena: Arena) -> dict[str, Any]:
        return battle_view(arena.app.get_battle(battle_id))

    @patch("/{battle_id:uuid}", guards=ADMIN, sync_to_thread=True)
    def configure(self, battle_id: UUID, data: ConfigureBattle, arena: Arena) -> dict[str, Any]:
        """Changes settings; only in draft (the lobby freezes them)."""
        arena.app.configure_battle(battle_id, data.model_dump(exclude_unset=True))
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/problems", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def attach(self, battle_id: UUID, data: AttachProblem, arena: Arena) -> dict[str, Any]:
        arena.app.attach_problem(battle_id, data.slug)
        return battle_view(arena.app.get_battle(battle_id))

    @delete("/{battle_id:uuid}/problems/{slug:str}", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def detach(self, battle_id: UUID, slug: str, arena: Arena) -> dict[str, Any]:
        arena.app.detach_problem(battle_id, slug)
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/lobby", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def open_lobby(self, battle_id: UUID, arena: Arena) -> dict[str, Any]:
        """Opens the lobby: settings and problem hashes are locked from here on."""
        arena.app.open_lobby(battle_id)
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/join", status_code=HTTP_200_OK, sync_to_thread=True)
    def join(self, battle_id: UUID, request: Request, arena: Arena) -> dict[str, Any]:
        """Joins the caller (a player or an admin); joining twice changes nothing."""
        arena.app.join(battle_id, request.user.id)
        return room_player_view(arena.app.get_room_player(battle_id, request.user.id))

    @post("/{battle_id:uuid}/disconnect", status_code=HTTP_200_OK, sync_to_thread=True)
    def disconnect(self, battle_id: UUID, request: Request, arena: Arena) -> dict[str, Any]:
        """Marks the caller DISCONNECTED (LEFT after ARENA_LEAVE_AFTER unless they reconnect)."""
        arena.app.disconnect(battle_id, request.user.id)
        return room_player_view(arena.app.get_room_player(battle_id, request.user.id))

    @post("/{battle_id:uuid}/reconnect", status_code=HTTP_200_OK, sync_to_thread=True)
    def reconnect(self, battle_id: UUID, request: Request, arena: Arena) -> dict[str, Any]:
        """Marks the caller PRESENT again."""
        arena.app.reconnect(battle_id, request.user.id)
        return room_player_view(arena.app.get_room_player(battle_id, request.user.id))

    @post("/{battle_id:uuid}/start", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def start(self, battle_id: UUID, request: Request, arena: Arena) -> dict[str, Any]:
        arena.app.start_battle(battle_id, by=request.user.id)
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/end", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def end(self, battle_id: UUID, arena: Arena, data: Reason | None = None) -> dict[str, Any]:
        arena.app.end_battle(battle_id, reason=(data.reason if data else "") or "ended by admin")
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/cancel", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def cancel(self, battle_id: UUID, arena: Arena, data: Reason | None = None) -> dict[str, Any]:
        arena.app.cancel_battle(battle_id, reason=(data.reason if data else "") or "cancelled by admin")
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/submissions", status_code=HTTP_202_ACCEPTED, sync_to_thread=True)
    def submit(self, battle_id: UUID, data: Submit, request: Request, arena: Arena) -> dict[str, Any]:
        """Queues code for judging; only while the battle runs, for its problems and languages."""
        if len(data.source.encode()) > arena.settings.max_source_bytes:
            raise InvalidInput("source", f"longer than {arena.settings.max_source_bytes} bytes")
        submission_id = arena.app.submit(battle_id, request.user.id, data.problem, data.language, data.source)
        return {"id": submission_id, "status": "queued"}
