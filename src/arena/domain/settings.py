"""A battle's settings: validated once here, frozen when the lobby opens."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from arena.domain.text import Line

LANGUAGE_ID = r"^[a-z][a-z0-9+#-]{0,19}$"
# A start time outside these years is a typo or an attack: the far ends of datetime overflow
# when a timezone offset is applied (9999-12-31T23:59:59-14:00 is in year 10000 in UTC), and a
# stored overflow broke every later read of the battle list and every scheduler sweep.
EARLIEST_START = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST_START = datetime(2101, 1, 1, tzinfo=timezone.utc)


def check_start_at(value: datetime | None) -> datetime | None:
    """A timezone, and an instant in the years 2000..2100 (UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("start_at needs a timezone (e.g. 2026-12-01T18:00:00Z)")
    try:
        in_utc = value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        in_utc = None
    if in_utc is None or not EARLIEST_START <= in_utc < LATEST_START:
        raise ValueError("start_at must lie in the years 2000 to 2100 (UTC)")
    return value


# The field types, shared with the API's change body so that both refuse the same input.
Title = Line(200, min_length=1)
DurationS = Annotated[int, Field(ge=60, le=7 * 24 * 3600)]
MaxPlayers = Annotated[int, Field(ge=1, le=100_000)]
Season = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
Scoring = Literal["icpc", "points"]
FreezeLastS = Annotated[int, Field(ge=0, le=7 * 24 * 3600)]
StartAt = Annotated[datetime, AfterValidator(check_start_at)]


class BattleSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Title
    duration_s: DurationS = 3600
    languages: tuple[str, ...] = Field(("python",), max_length=50)
    scoring: Scoring = "icpc"
    max_players: MaxPlayers = 50
    start_at: StartAt | None = None
    # The season its settlement counts towards; none: the calendar quarter it ends in (2026-Q4).
    season: Season | None = None
    # DOMjudge's freeze: the verdicts of submissions received in the last N seconds stay hidden
    # from players and spectators until the end (admins see them); 0: no freeze.
    freeze_last_s: FreezeLastS = 0

    def __deepcopy__(self, memo: dict[int, object]) -> BattleSettings:
        return self  # frozen: a copied Battle may share it (the command cache copies every get)

    @field_validator("languages")
    @classmethod
    def _languages_are_distinct_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("at least one language")
        for language in value:
            if not re.fullmatch(LANGUAGE_ID, language):  # match() let "python\n" through
                raise ValueError(f"not a language id: {language!r}")
        return tuple(dict.fromkeys(value))


def config_hash(settings: BattleSettings, problems: dict[str, str]) -> str:
    """The hash the lobby locks: settings plus each problem's content hash, canonically ordered."""
    canonical = {"settings": settings.model_dump(mode="json"), "problems": dict(sorted(problems.items()))}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
