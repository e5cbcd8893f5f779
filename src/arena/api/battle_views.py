"""The typed shape of a battle as the API shows it (views.battle_view's dict), for routes whose
OpenAPI document should carry it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from arena.api.views import battle_view
from arena.domain.battle import Battle


class AttachedProblem(BaseModel):
    slug: str
    sha256: str
    title: str
    points: int = Field(description="what a first accepted verdict is worth in this battle")


class BattleView(BaseModel):
    id: str
    status: str
    admin_id: str
    title: str
    duration_s: int
    languages: list[str]
    scoring: str
    max_players: int
    start_at: datetime | None
    season: str | None
    freeze_last_s: int = Field(0, description="the scoreboard's freeze: the last N seconds (0: none)")
    problems: list[AttachedProblem]
    players: int
    config_hash: str | None
    created_at: datetime
    started_at: datetime | None
    ends_at: datetime | None = Field(description="the start, plus the duration, plus every extension")
    extended_s: int = Field(description="seconds added by extensions")
    ended_at: datetime | None
    version: int


def typed_battle_view(battle: Battle) -> BattleView:
    return BattleView(**battle_view(battle))
