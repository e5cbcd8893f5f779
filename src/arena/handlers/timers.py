"""Timers, transport-free: which events schedule what, and what a due timer does.

Every timer command is idempotent and re-checks its condition when it fires, so an early,
late, duplicated or replayed timer is harmless: firing early asks to be delayed again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from arena.application import ArenaApplication
from arena.bus.envelope import EventEnvelope
from arena.domain.errors import DomainError


SETTLEMENT_RECHECK = timedelta(seconds=10)


class TimerCommand(BaseModel):
    """The body of a delayed message; message_id = '<kind>:<target>:<due_at>'."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["mark_left", "start_if_due", "end_if_due", "settle_if_due"]
    target: UUID  # a room player (mark_left) or a battle
    due_at: datetime
    disconnected_at: datetime | None = None  # mark_left: which disconnect this timer is about

    @property
    def message_id(self) -> str:
        return f"{self.kind}:{self.target}:{self.due_at.isoformat()}"


def timers_for(event: EventEnvelope, leave_after: timedelta) -> list[TimerCommand]:
    data = event.data
    match event.routing_key:
        case "room_player.disconnected":
            return [TimerCommand(kind="mark_left", target=event.originator_id,
                                 due_at=data["at"] + leave_after, disconnected_at=data["at"])]
        case "battle.scheduled":
            return [TimerCommand(kind="start_if_due", target=event.originator_id, due_at=data["start_at"])]
        case "battle.started" | "battle.extended":  # an extension: a new end timer, the old one finds it not due
            return [TimerCommand(kind="end_if_due", target=event.originator_id, due_at=data["ends_at"])]
        case "settlement.opened" if data["awaiting"]:  # nothing awaited: settled at once
            # A look at the store soon (a verdict recorded while the settlement was opened may
            # have found none to arrive at), and the end of the wait.
            recheck = min(data["wait_until"], data["ended_at"] + SETTLEMENT_RECHECK)
            return [TimerCommand(kind="settle_if_due", target=data["battle_id"], due_at=due)
                    for due in sorted({recheck, data["wait_until"]})]
    return []


def fire(command: TimerCommand, app: ArenaApplication, now: datetime) -> timedelta | None:
    """Runs a due timer. Returns how much longer to wait if it fired early, else None."""
    if command.due_at > now:
        return command.due_at - now
    try:
        match command.kind:
            case "mark_left":
                app.mark_left(command.target, command.disconnected_at)
            case "start_if_due":
                app.start_battle_if_due(command.target)
            case "end_if_due":
                app.end_battle_if_due(command.target)
            case "settle_if_due":
                app.settle(command.target)  # settles with whatever verdict is still missing
    except DomainError:
        pass  # the world moved on (battle cancelled, player gone): nothing left to do
    return None
