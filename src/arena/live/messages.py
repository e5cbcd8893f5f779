"""The live messages: what `WS /api/v2/battles/{id}/live` and its SSE twin send, and the one
message a client sends (auth). Clients are written against these shapes (docs/api.md, "Live").

Every server message has `type`, `position` (the notification-log position of the event it
comes from, strictly increasing per socket) and `v` (this shape's version).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

VERSION = 1
MAX_TOKEN_CHARS = 8192


class Auth(BaseModel):
    """The client's first message: a JWT and, to resume, the last position it received."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["auth"]
    token: str = Field(min_length=1, max_length=MAX_TOKEN_CHARS)
    after: Annotated[int, Field(ge=0, lt=2**62)] | None = None


class LiveMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    v: Literal[1] = VERSION


class TestSummary(BaseModel):
    index: int
    verdict: str
    time_ms: int | None = None
    memory_kb: int | None = None


class Verdict(LiveMessage):
    """A verdict of the socket owner's own submission, with the scoreboard rows it changed
    (as the owner's board shows them: none while the board is frozen)."""

    type: Literal["verdict"] = "verdict"
    submission_id: str
    problem: str
    verdict: str
    points: int
    tests: list[TestSummary]
    rows: list[dict[str, Any]]  # as in `scoreboard`: empty while the board is frozen
    # A scoring problem's score and the problem's maximum (null for a pass-fail problem); the
    # per-group breakdown is in GET /submissions/{id}. Added in v1 as optional fields.
    score: float | None = None
    max_score: float | None = None
    # 0 for a submission's first verdict, n for the verdict of its n-th rejudge (which replaces
    # the one shown before). Added in v1 as an optional field.
    rejudge: int = 0


class Scoreboard(LiveMessage):
    """The rows a verdict changed (rank, user_id, solved, penalty, points, problems)."""

    type: Literal["scoreboard"] = "scoreboard"
    rows: list[dict[str, Any]]


class BattleState(LiveMessage):
    """The battle's status changed, or its end moved (an extension). At the end of a frozen
    board, `rows` carries the rows the unfreeze changed (to players and spectators)."""

    type: Literal["battle"] = "battle"
    status: Literal["draft", "lobby", "running", "ended", "cancelled"]
    ends_at: datetime | None
    rows: list[dict[str, Any]] = []


class Presence(LiveMessage):
    """Who is PRESENT in the room (a player with at least one live socket)."""

    type: Literal["presence"] = "presence"
    count: int
    user_ids: list[str]


ServerMessage = Annotated[Verdict | Scoreboard | BattleState | Presence, Field(discriminator="type")]
