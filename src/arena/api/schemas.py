"""Request bodies. Unknown fields are refused so that a typo is a 422, not a silent no-op."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateBattle(Body):
    title: str = Field(min_length=1, max_length=200)
    duration_s: int = Field(3600, ge=60, le=7 * 24 * 3600)
    languages: list[str] = Field(default_factory=lambda: ["python"], min_length=1)
    scoring: Literal["icpc", "points"] = "icpc"
    max_players: int = Field(50, ge=1, le=10_000)
    start_at: datetime | None = None


class ConfigureBattle(Body):
    title: str | None = Field(None, min_length=1, max_length=200)
    duration_s: int | None = Field(None, ge=60, le=7 * 24 * 3600)
    languages: list[str] | None = Field(None, min_length=1)
    scoring: Literal["icpc", "points"] | None = None
    max_players: int | None = Field(None, ge=1, le=10_000)
    start_at: datetime | None = None


class AttachProblem(Body):
    slug: str = Field(min_length=1, max_length=64)


class Submit(Body):
    problem: str = Field(min_length=1, max_length=64)
    language: str = Field(min_length=1, max_length=20)
    source: str = Field(min_length=1)


class Reason(Body):
    reason: str = Field("", max_length=500)
