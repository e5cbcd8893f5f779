"""Request bodies. Unknown fields are refused so that a typo is a 422, not a silent no-op.
Creating a battle takes the domain's BattleSettings itself; this module holds the rest."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConfigureBattle(Body):
    title: str | None = Field(None, min_length=1, max_length=200)
    duration_s: int | None = Field(None, ge=60, le=7 * 24 * 3600)
    languages: list[str] | None = Field(None, min_length=1)
    scoring: Literal["icpc", "points"] | None = None
    max_players: int | None = Field(None, ge=1, le=10_000)
    start_at: datetime | None = None
    season: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class AttachProblem(Body):
    slug: str = Field(min_length=1, max_length=64)


class Submit(Body):
    problem: str = Field(min_length=1, max_length=64)
    language: str = Field(min_length=1, max_length=20)
    source: str = Field(min_length=1)


class Reason(Body):
    reason: str = Field("", max_length=500)
