"""Request bodies. Unknown fields are refused so that a typo is a 422, not a silent no-op.
Creating a battle takes the domain's BattleSettings itself; this module holds the rest. Every
text field is a domain.text Line or Lines: no control characters, a length cap."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from arena.domain.settings import DurationS, FreezeLastS, MaxPlayers, Scoring, Season, StartAt, Title
from arena.domain.text import Line, Lines

MAX_SOURCE_CHARS = 1_000_000  # the schema's cap; ARENA_MAX_SOURCE_BYTES is the real, smaller one


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConfigureBattle(Body):
    """A change: only the keys sent are changed. A key may not be null unless null means
    something (start_at: null unschedules), so those fields default to None without being
    Optional: the default is not validated, an explicit null is a 422 naming the key."""

    title: Title = None  # type: ignore[assignment]
    duration_s: DurationS = None  # type: ignore[assignment]
    languages: list[Line(20, min_length=1)] = Field(None, min_length=1, max_length=50)  # type: ignore[valid-type]
    scoring: Scoring = None  # type: ignore[assignment]
    max_players: MaxPlayers = None  # type: ignore[assignment]
    start_at: StartAt | None = None
    season: Season = None  # type: ignore[assignment]
    freeze_last_s: FreezeLastS = None  # type: ignore[assignment]


class AttachProblem(Body):
    slug: Line(64, min_length=1)  # type: ignore[valid-type]
    # this battle's worth of the problem; absent: the problem's own points
    points: int | None = Field(None, ge=0, le=100_000)


class Extend(Body):
    seconds: int = Field(ge=1, le=24 * 3600, description="added to the battle's end")  # battle_rules.MAX_EXTENSION_S


class Submit(Body):
    problem: Line(64, min_length=1)  # type: ignore[valid-type]
    language: Line(20, min_length=1)  # type: ignore[valid-type]
    source: Lines(MAX_SOURCE_CHARS, min_length=1)  # type: ignore[valid-type]


class Reason(Body):
    reason: Line(500) = ""  # type: ignore[valid-type]
