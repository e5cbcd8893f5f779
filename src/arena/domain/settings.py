"""A battle's settings: validated once here, frozen when the lobby opens."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LANGUAGE_ID = r"^[a-z][a-z0-9+#-]{0,19}$"


class BattleSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    duration_s: int = Field(3600, ge=60, le=7 * 24 * 3600)
    languages: tuple[str, ...] = ("python",)
    scoring: Literal["icpc", "points"] = "icpc"
    max_players: int = Field(50, ge=1, le=10_000)
    start_at: datetime | None = None
    # The season its settlement counts towards; none: the calendar quarter it ends in (2026-Q4).
    season: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")

    def __deepcopy__(self, memo: dict[int, object]) -> BattleSettings:
        return self  # frozen: a copied Battle may share it (the command cache copies every get)

    @field_validator("languages")
    @classmethod
    def _languages_are_distinct_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one language")
        for language in value:
            if not re.match(LANGUAGE_ID, language):
                raise ValueError(f"not a language id: {language!r}")
        return tuple(dict.fromkeys(value))

    @field_validator("start_at")
    @classmethod
    def _start_at_has_timezone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("start_at needs a timezone (e.g. 2026-12-01T18:00:00Z)")
        return value


def config_hash(settings: BattleSettings, problems: dict[str, str]) -> str:
    """The hash the lobby locks: settings plus each problem's content hash, canonically ordered."""
    canonical = {"settings": settings.model_dump(mode="json"), "problems": dict(sorted(problems.items()))}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
