"""GET /me: who the token says the caller is, what their role lets them do, and the battles
they joined."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Request, get
from litestar.params import Parameter
from pydantic import BaseModel, Field

from arena.api.auth import User
from arena.api.error_responses import errors
from arena.bootstrap import Arena
from arena.projections.room import battles_joined

# What each role may also do: a superadmin is an admin on every battle; admins may join battles.
IMPLIED = {"player": ("player",), "admin": ("admin", "player"), "auditor": ("auditor",),
           "superadmin": ("superadmin", "admin", "player")}


class JoinedBattle(BaseModel):
    battle_id: str
    title: str
    status: str = Field(description="the battle's status")
    state: str = Field(description="the caller's state in its room: PRESENT, DISCONNECTED, LEFT, COMPLETED")
    joined_at: datetime
    score: int
    submissions: int


class Me(BaseModel):
    user_id: str
    role: str = Field(description="the token's role")
    roles: list[str] = Field(description="the token's role and the roles it includes")
    battles: list[JoinedBattle] = Field(description="the battles the caller joined, newest join first")


def roles_of(user: User) -> list[str]:
    return list(IMPLIED[user.role])


@get("/me", tags=["users"], sync_to_thread=True, responses=errors())
def me(request: Request, arena: Arena,
       limit: Annotated[int, Parameter(ge=1, le=1000, description="at most this many battles")] = 100) -> Me:
    """The token's user and role, and the battles they joined (a room player exists)."""
    user: User = request.user
    return Me(user_id=user.id, role=user.role, roles=roles_of(user),
              battles=[JoinedBattle(**row) for row in battles_joined(arena.engine, user.id, limit)])
