"""The typed shapes of the answers that views.py builds as dicts, for the OpenAPI document: each
route declares one of these, and schemathesis' response-conformance check (tests/e2e/
test_schemathesis.py) holds every real answer to it. Handlers keep returning the dicts (Litestar
serializes them as they are): validating each answer again would only cost time."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from arena.judge.languages import LanguageInfo

__all__ = ["BattleListItem", "LanguageInfo", "ProblemInfoView", "ProblemUploaded", "ProblemView", "RoomPlayerView",
           "RoomView", "SubmissionAccepted", "TestCaseView", "HealthView", "ReadyView"]


class BattleListItem(BaseModel):
    id: str
    title: str
    status: str = Field(description="draft, lobby, running, ended or cancelled")
    admin_id: str
    scoring: str
    players: int
    max_players: int
    start_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RoomPlayerView(BaseModel):
    room_player_id: str
    battle_id: str
    user_id: str
    state: str = Field(description="PRESENT, DISCONNECTED, LEFT or COMPLETED")
    joined_at: datetime
    last_seen: datetime
    score: int
    submissions: int


class RoomMember(BaseModel):
    room_player_id: str
    user_id: str
    state: str
    joined_at: datetime
    last_seen: datetime
    score: int
    submissions: int


class RoomView(BaseModel):
    battle_id: str
    status: str
    players: list[RoomMember] = Field(description="everyone who ever joined, in joining order")


class ProblemInfoView(BaseModel):
    slug: str
    sha256: str = Field(description="of the canonical document: what a battle locks")
    title: str
    points: int
    size: int
    uploaded_at: datetime


class ProblemUploaded(ProblemInfoView):
    ignored: list[str] = Field(description="parts of a package not supported yet (empty for Markdown)")


class TestCaseView(BaseModel):
    __test__ = False  # not a pytest class
    input: str
    output: str
    name: str


class ProblemView(ProblemInfoView):
    time_limit_ms: int
    memory_mb: int
    statement: str
    samples: list[TestCaseView]
    hidden_tests: int = Field(description="how many hidden tests there are")
    tests: list[TestCaseView] | None = Field(None, description="the hidden tests: admins only")


class SubmissionAccepted(BaseModel):
    id: str
    status: Literal["queued"]


class HealthView(BaseModel):
    status: Literal["ok"]


class ReadyView(BaseModel):
    status: Literal["ready"]
    checks: dict[str, str] = Field(description="database, broker, redis: ok, down or not configured; "
                                               "a 503 when the database is down (docs/adr/0019)")
    breakers: dict[str, str] = Field(description="the API's circuit breakers: closed, open or half_open")
