"""The Battle aggregate's guards, as plain functions of the values they check: the state a command
needs, the problem set (changed only in the draft), a change of settings, a player's admission and
submission, an extension's bound. arena.domain.battle calls them before it records an event; they
raise the refusals of arena.domain.battle_errors (and InvalidInput, a 422)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import ValidationError

from arena.domain.battle_errors import (AlreadyJoined, BattleFull, LanguageNotAllowed, NotJoined,
                                       ProblemAlreadyAttached, ProblemNotInBattle, WrongBattleState)
from arena.domain.errors import InvalidInput
from arena.domain.settings import BattleSettings

MAX_POINTS = 100_000  # a problem's own bound (problems.model)
MAX_EXTENSION_S = 24 * 3600  # one extension; the battle's whole length stays bounded by their sum


def check_status(status: Enum, action: str, *allowed: Enum) -> None:
    if status not in allowed:
        raise WrongBattleState(f"cannot {action} a battle that is {status.value}")


def check_settings_change(settings: BattleSettings, changes: dict[str, Any]) -> None:
    try:
        BattleSettings(**{**settings.model_dump(), **changes})
    except ValidationError as exc:  # name the field at fault, in the API's words, not pydantic's dump
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"][:1]) or "settings"
        raise InvalidInput(field, first["msg"].removeprefix("Value error, ")) from None


def check_attachable(problems: dict[str, Any], slug: str, points: int) -> None:
    if slug in problems:
        raise ProblemAlreadyAttached(f"problem {slug!r} is already attached")
    if not 0 <= points <= MAX_POINTS:
        raise InvalidInput("points", f"must be between 0 and {MAX_POINTS}")


def check_has_problem(problems: dict[str, Any], slug: str) -> None:
    if slug not in problems:
        raise ProblemNotInBattle(f"problem {slug!r} is not part of this battle")


def check_admissible(players: dict[str, None], user_id: str, max_players: int) -> None:
    if user_id in players:
        raise AlreadyJoined(f"user {user_id!r} has already joined")
    if len(players) >= max_players:
        raise BattleFull(f"the battle is full ({max_players} players)")


def check_player_may_submit(settings: BattleSettings, players: dict[str, None], user_id: str,
                            language: str) -> None:
    if language not in settings.languages:
        allowed = ", ".join(settings.languages)
        raise LanguageNotAllowed(f"language {language!r} is not allowed here (allowed: {allowed})")
    if user_id not in players:
        raise NotJoined(f"user {user_id!r} has not joined this battle")


def check_extension(seconds: int) -> None:
    if not 1 <= seconds <= MAX_EXTENSION_S:
        raise InvalidInput("seconds", f"must be between 1 and {MAX_EXTENSION_S}")
