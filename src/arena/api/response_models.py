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
           "RoomView", "SubmissionAccepted", "TestCaseView", "VerificationView", "HealthView", "ReadyView"]


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


class VerificationRowView(BaseModel):
    path: str = Field(description="the submission's path in the package")
    expected: str
    got: str
    time_ms: int
    score: float | None
    ok: bool


class VerificationReportView(BaseModel):
    rows: list[VerificationRowView]
    warnings: list[str]
    derived: dict[str, int | str] | None = Field(description="how the time limit was derived, if it was")
    error: str | None = Field(description="why the package could not be judged at all")


class VerificationView(BaseModel):
    status: Literal["pending", "passed", "failed", "skipped"]
    slug: str
    problem_sha256: str = Field(description="the version uploaded")
    verified_sha256: str | None = Field(description="the version verified (with its derived time limit)")
    time_limit_ms: int | None
    force: bool
    attempts: int
    requested_at: datetime
    finished_at: datetime | None
    report: VerificationReportView | None
    href: str = Field(description="where to read it again")


class ProblemUploaded(ProblemInfoView):
    ignored: list[str] = Field(description="parts of a package not supported yet (empty for Markdown)")
    verification: VerificationView | None = Field(
        description="a package with submissions or no time limit: its verification by the judge tier")


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
