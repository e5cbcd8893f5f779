"""Battles: create, configure, attach problems, lobby, join, start, end, cancel, room.

Admin routes need the admin role (a guard) and then, for one battle, to run it: its owner, a
co-admin or a superadmin (Battle.check_admin; 403 "not the owner" otherwise). Players never see
a draft: it is not in their list, and asking for one by id is a 404.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get, patch, post, delete
from litestar.params import Parameter
from pydantic import BaseModel, ConfigDict
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from arena.api.auth import User, admin_only
from arena.api.battle_views import BattleView, typed_battle_view
from arena.api.error_responses import errors
from arena.api.response_models import BattleListItem, RoomPlayerView, SubmissionAccepted
from arena.api.schemas import AttachProblem, ConfigureBattle, Extend, Reason, Submit
from arena.api.views import battle_view, room_player_view
from arena.bootstrap import Arena
from arena.domain.acting import Admin
from arena.domain.battle import Battle, BattleStatus
from arena.domain.errors import InvalidInput, NotFound
from arena.domain.settings import BattleSettings
from arena.domain.text import Line
from arena.projections.battles import list_battles

ADMIN = [admin_only]
# Bounded here so that a number PostgreSQL cannot take (offset 2**63) is a 400, not a 500.
Limit = Annotated[int, Parameter(ge=1, le=500, description="at most this many battles")]
Offset = Annotated[int, Parameter(ge=0, le=2**63 - 1, description="skip this many battles")]


class CoAdmin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: Line(200, min_length=1)


def acting(user: User) -> Admin:
    return Admin(user.id, superadmin=user.is_superadmin)


def sees_drafts(user: User) -> bool:
    return user.is_admin or user.is_auditor  # auditors read everything and change nothing


def shown_to(user: User, battle: Battle) -> Battle:
    if not (battle.shown_to_players or sees_drafts(user)):
        raise NotFound(f"no battle with id {battle.id}")  # a draft is not there, for a player
    return battle


class BattleController(Controller):
    path = "/battles"
    tags = ["battles"]

    @post("/", guards=ADMIN, status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create(self, data: BattleSettings, request: Request, arena: Arena) -> BattleView:
        """Creates a battle in draft; the caller becomes its admin."""
        battle_id = arena.app.create_battle(request.user.id, data)
        return battle_view(arena.app.get_battle(battle_id))

    @get("/", sync_to_thread=True)
    def index(self, request: Request, arena: Arena, status: BattleStatus | None = None, limit: Limit = 100,
              offset: Offset = 0) -> list[BattleListItem]:
        """Lists battles, newest first (optionally only those in one status); drafts for admins only."""
        return list_battles(arena.engine, status=status.value if status else None, limit=limit, offset=offset,
                            drafts=sees_drafts(request.user))

    @get("/{battle_id:uuid}", sync_to_thread=True)
    def show(self, battle_id: UUID, request: Request, arena: Arena) -> BattleView:
        """One battle; a draft is a 404 for players."""
        return battle_view(shown_to(request.user, arena.app.get_battle(battle_id)))

    @patch("/{battle_id:uuid}", guards=ADMIN, sync_to_thread=True)
    def configure(self, battle_id: UUID, data: ConfigureBattle, request: Request, arena: Arena) -> BattleView:
        """Changes settings; only in draft (the lobby freezes them)."""
        arena.app.configure_battle(battle_id, data.model_dump(exclude_unset=True), by=acting(request.user))
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/co-admins", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def add_co_admin(self, battle_id: UUID, data: CoAdmin, request: Request, arena: Arena) -> BattleView:
        """The owner (or a superadmin) lets another admin run this battle too; a repeat changes nothing."""
        arena.app.add_co_admin(battle_id, data.user_id, by=acting(request.user))
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/problems", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def attach(self, battle_id: UUID, data: AttachProblem, request: Request, arena: Arena) -> BattleView:
        """Attaches a problem, worth its own points or `points` in this battle."""
        arena.app.attach_problem(battle_id, data.slug, by=acting(request.user), points=data.points)
        return battle_view(arena.app.get_battle(battle_id))

    @delete("/{battle_id:uuid}/problems/{slug:str}", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def detach(self, battle_id: UUID, slug: str, request: Request, arena: Arena) -> BattleView:
        """Detaches a problem (draft only)."""
        arena.app.detach_problem(battle_id, slug, by=acting(request.user))
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/lobby", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def open_lobby(self, battle_id: UUID, request: Request, arena: Arena) -> BattleView:
        """Opens the lobby: settings and problem hashes are locked from here on."""
        arena.app.open_lobby(battle_id, by=acting(request.user))
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/join", status_code=HTTP_200_OK, sync_to_thread=True)
    def join(self, battle_id: UUID, request: Request, arena: Arena) -> RoomPlayerView:
        """Joins the caller (a player or an admin); joining twice changes nothing."""
        arena.app.join(battle_id, request.user.id)
        return room_player_view(arena.app.get_room_player(battle_id, request.user.id))

    @post("/{battle_id:uuid}/disconnect", status_code=HTTP_200_OK, sync_to_thread=True)
    def disconnect(self, battle_id: UUID, request: Request, arena: Arena) -> RoomPlayerView:
        """Marks the caller DISCONNECTED (LEFT after ARENA_LEAVE_AFTER unless they reconnect)."""
        arena.app.disconnect(battle_id, request.user.id)
        return room_player_view(arena.app.get_room_player(battle_id, request.user.id))

    @post("/{battle_id:uuid}/reconnect", status_code=HTTP_200_OK, sync_to_thread=True)
    def reconnect(self, battle_id: UUID, request: Request, arena: Arena) -> RoomPlayerView:
        """Marks the caller PRESENT again."""
        arena.app.reconnect(battle_id, request.user.id)
        return room_player_view(arena.app.get_room_player(battle_id, request.user.id))

    @post("/{battle_id:uuid}/start", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def start(self, battle_id: UUID, request: Request, arena: Arena) -> BattleView:
        """Starts the battle from its lobby now (the start timer does it at `start_at`)."""
        arena.app.start_battle(battle_id, by=acting(request.user))
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/extend", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True,
          responses=errors(403, 404, 409, 422))
    def extend(self, battle_id: UUID, data: Extend, request: Request, arena: Arena) -> BattleView:
        """Gives a running battle `seconds` more; its ends_at moves and the end timer follows."""
        arena.app.extend_battle(battle_id, data.seconds, by=acting(request.user))
        return typed_battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/end", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def end(self, battle_id: UUID, request: Request, arena: Arena, data: Reason | None = None) -> BattleView:
        """Ends a running battle now (the end timer does it at `ends_at`); its settlement follows."""
        arena.app.end_battle(battle_id, reason=(data.reason if data else "") or "ended by admin",
                             by=acting(request.user))
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/cancel", guards=ADMIN, status_code=HTTP_200_OK, sync_to_thread=True)
    def cancel(self, battle_id: UUID, request: Request, arena: Arena, data: Reason | None = None) -> BattleView:
        """Cancels a battle that has not ended; nothing is settled."""
        arena.app.cancel_battle(battle_id, reason=(data.reason if data else "") or "cancelled by admin",
                                by=acting(request.user))
        return battle_view(arena.app.get_battle(battle_id))

    @post("/{battle_id:uuid}/submissions", status_code=HTTP_202_ACCEPTED, sync_to_thread=True)
    def submit(self, battle_id: UUID, data: Submit, request: Request, arena: Arena) -> SubmissionAccepted:
        """Queues code for judging; only while the battle runs, for its problems and languages."""
        if len(data.source.encode()) > arena.settings.max_source_bytes:
            raise InvalidInput("source", f"longer than {arena.settings.max_source_bytes} bytes")
        submission_id = arena.app.submit(battle_id, request.user.id, data.problem, data.language, data.source)
        return {"id": submission_id, "status": "queued"}
