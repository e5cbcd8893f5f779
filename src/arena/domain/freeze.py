"""The scoreboard's freeze (DOMjudge style): in a battle's last `freeze_last_s` seconds, the
verdicts of submissions received from then on are hidden from players and spectators until the
battle ends; admins always see them. Decided by a submission's arrival, never by the clock of
whoever reads, so every reader of the same events shows the same frozen board."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from arena.domain.ranking import Attempt


def freeze_starts(ends_at: datetime | None, freeze_last_s: int) -> datetime | None:
    """When the freeze begins (it moves with an extension); None without one."""
    if not freeze_last_s or ends_at is None:
        return None
    return ends_at - timedelta(seconds=freeze_last_s)


def shown_attempts(attempts: Iterable[Attempt], freeze_at: datetime | None, over: bool) -> list[Attempt]:
    """The attempts a frozen board shows: all once the battle is over or without a freeze."""
    if over or freeze_at is None:
        return list(attempts)
    return [attempt for attempt in attempts if attempt.received_at < freeze_at]
