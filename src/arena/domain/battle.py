"""Battle: draft -> lobby -> running -> ended, or cancelled from any state before ended.

Its admin commands may be run by its owner (the admin who created it), its co-admins, a
superadmin, or the system (timers); players see it once it has left the draft.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, event

from arena.domain.acting import SYSTEM, Actor
from arena.domain.battle_errors import (AlreadyJoined, BattleError, BattleFull, LanguageNotAllowed,
                                       NoProblems, NotJoined, NotOwner, ProblemAlreadyAttached,
                                       ProblemNotInBattle, WrongBattleState)
from arena.domain.battle_rules import (check_admissible, check_attachable, check_extension,
                                       check_has_problem, check_player_may_submit,
                                       check_settings_change, check_status)
from arena.domain.copying import CopiesCheaply
from arena.domain.settings import BattleSettings, config_hash


class BattleStatus(str, Enum):
    DRAFT = "draft"
    LOBBY = "lobby"
    RUNNING = "running"
    ENDED = "ended"
    CANCELLED = "cancelled"


class Battle(CopiesCheaply, Aggregate):
    _flat = frozenset({"players", "co_admins"})  # ids only: copied shallow (copying.py)
    # Seconds added by extensions. A class default, so that battles (and snapshots) saved
    # before extensions existed read as never extended.
    extended_s: int = 0

    class Snapshot(Aggregate.Snapshot):
        """A battle's state for the snapshot store. A battle of 50,000 players has 50,000
        PlayerAdmitted events: a cold load replays from the latest snapshot instead. Its
        settings and status are kept as plain data (the event store's JSON knows neither a
        pydantic model nor an enum) and restored as themselves."""

        @classmethod
        def take(cls, aggregate: Any) -> Any:
            snapshot = super().take(aggregate)
            state = {**snapshot.state, "settings": aggregate.settings.model_dump(mode="json"),
                     "status": aggregate.status.value}
            return replace(snapshot, state=state)

        def mutate(self, _: None) -> Any:
            battle = super().mutate(None)
            battle.settings = BattleSettings(**battle.settings)
            battle.status = BattleStatus(battle.status)
            return battle

    @event("Created")
    def __init__(self, admin_id: str, settings: dict[str, Any], at: datetime) -> None:
        self.admin_id = admin_id  # the owner
        self.co_admins: list[str] = []
        self.settings = BattleSettings(**settings)
        self.status = BattleStatus.DRAFT
        self.created_at = at
        self.problems: dict[str, dict[str, Any]] = {}  # slug -> {sha256, title, points}
        # user ids in joining order; a dict, so that membership is O(1) at 50,000 players
        self.players: dict[str, None] = {}
        self.config_hash: str | None = None
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None

    @classmethod
    def draft(cls, admin_id: str, settings: BattleSettings, at: datetime) -> Battle:
        return cls(admin_id=admin_id, settings=settings.model_dump(), at=at)

    def check_admin(self, user_id: str, is_superadmin: bool = False) -> None:
        """Only the owner, a co-admin or a superadmin may run this battle's admin commands."""
        if not (is_superadmin or user_id == self.admin_id or user_id in self.co_admins):
            raise NotOwner(f"user {user_id!r} is not the owner of this battle nor a co-admin")

    def check_actor(self, by: Actor) -> None:
        if by is not SYSTEM:
            self.check_admin(by.user_id, by.superadmin)

    def add_co_admin(self, user_id: str, by: Actor) -> None:
        """The owner (or a superadmin) shares the battle; co-admins may not add more.
        Adding someone who already runs it changes nothing."""
        if by is not SYSTEM and not by.superadmin and by.user_id != self.admin_id:
            raise NotOwner(f"only the owner of this battle may add co-admins, not {by.user_id!r}")
        if user_id != self.admin_id and user_id not in self.co_admins:
            self._co_admin_added(user_id=user_id)

    @event("CoAdminAdded")
    def _co_admin_added(self, user_id: str) -> None:
        self.co_admins.append(user_id)

    @property
    def shown_to_players(self) -> bool:
        """A draft is the admins' work in progress: players neither list nor read it."""
        return self.status is not BattleStatus.DRAFT

    def configure(self, changes: dict[str, Any]) -> None:
        check_status(self.status, "configure", BattleStatus.DRAFT)
        check_settings_change(self.settings, changes)
        self._configured(changes=changes)

    @event("Configured")
    def _configured(self, changes: dict[str, Any]) -> None:
        self.settings = BattleSettings(**{**self.settings.model_dump(), **changes})

    @event("ProblemAttached")
    def attach_problem(self, slug: str, sha256: str, title: str, points: int) -> None:
        check_status(self.status, "attach a problem to", BattleStatus.DRAFT)
        check_attachable(self.problems, slug, points)
        self.problems[slug] = {"sha256": sha256, "title": title, "points": points}

    @event("ProblemDetached")
    def detach_problem(self, slug: str) -> None:
        check_status(self.status, "detach a problem from", BattleStatus.DRAFT)
        check_has_problem(self.problems, slug)
        del self.problems[slug]

    def open_lobby(self) -> None:
        check_status(self.status, "open the lobby of", BattleStatus.DRAFT)
        if not self.problems:
            raise NoProblems("attach at least one problem before opening the lobby")
        hashes = {slug: problem["sha256"] for slug, problem in self.problems.items()}
        self._lobby_opened(config_hash=config_hash(self.settings, hashes))
        if self.settings.start_at is not None:
            self._scheduled(start_at=self.settings.start_at)

    @event("LobbyOpened")
    def _lobby_opened(self, config_hash: str) -> None:
        self.status = BattleStatus.LOBBY
        self.config_hash = config_hash

    @event("Scheduled")
    def _scheduled(self, start_at: datetime) -> None:
        """Tells the timers when to start the battle by itself."""

    @event("PlayerAdmitted")
    def admit(self, user_id: str) -> None:
        check_status(self.status, "join", BattleStatus.LOBBY, BattleStatus.RUNNING)
        check_admissible(self.players, user_id, self.settings.max_players)
        self.players[user_id] = None

    def start(self, at: datetime, by: Actor) -> None:
        check_status(self.status, "start", BattleStatus.LOBBY)
        # ends_at travels in the event so that the end timer needs no other lookup; `by` is the
        # admin's id, None when the system started it (older events say "scheduler")
        self._started(at=at, by=None if by is SYSTEM else by.user_id,
                      ends_at=at + timedelta(seconds=self.settings.duration_s))

    @event("Started")
    def _started(self, at: datetime, by: str | None, ends_at: datetime) -> None:
        self.status = BattleStatus.RUNNING
        self.started_at = at

    def extend(self, seconds: int, at: datetime, by: Actor) -> None:
        """Gives a running battle more time. The new end travels in the event, so that the
        timers schedule a new end timer from it alone; the old one finds the battle not due
        yet when it fires (is_due_to_end) and does nothing."""
        check_status(self.status, "extend", BattleStatus.RUNNING)
        check_extension(seconds)
        self._extended(seconds=seconds, ends_at=self.ends_at + timedelta(seconds=seconds), at=at,
                       by=None if by is SYSTEM else by.user_id)

    @event("Extended")
    def _extended(self, seconds: int, ends_at: datetime, at: datetime, by: str | None) -> None:
        self.extended_s += seconds

    @event("Ended")
    def end(self, at: datetime, reason: str) -> None:
        check_status(self.status, "end", BattleStatus.RUNNING)
        self.status = BattleStatus.ENDED
        self.ended_at = at

    @event("Cancelled")
    def cancel(self, at: datetime, reason: str) -> None:
        check_status(self.status, "cancel",
                     BattleStatus.DRAFT, BattleStatus.LOBBY, BattleStatus.RUNNING)
        self.status = BattleStatus.CANCELLED
        self.ended_at = at

    @property
    def ends_at(self) -> datetime | None:
        if self.started_at is None:
            return None
        return self.started_at + timedelta(seconds=self.settings.duration_s + self.extended_s)

    def has_player(self, user_id: str) -> bool:
        return user_id in self.players

    def is_due_to_start(self, now: datetime) -> bool:
        start_at = self.settings.start_at
        return self.status is BattleStatus.LOBBY and start_at is not None and start_at <= now

    def is_due_to_end(self, now: datetime) -> bool:
        return self.status is BattleStatus.RUNNING and self.ends_at <= now

    def check_submission(self, user_id: str, problem: str, language: str) -> None:
        """A submission is accepted only while running, from a player who joined, for this
        battle's problems and languages."""
        check_status(self.status, "submit to", BattleStatus.RUNNING)
        check_has_problem(self.problems, problem)
        check_player_may_submit(self.settings, self.players, user_id, language)

    def check_rejudge(self, by: Actor, problem: str) -> None:
        """A rejudge is an admin's (owner, co-admin, superadmin) on a running or ended battle's
        problem; a cancelled battle settles nothing, so nothing there is judged again."""
        self.check_actor(by)
        check_status(self.status, "rejudge in", BattleStatus.RUNNING, BattleStatus.ENDED)
        check_has_problem(self.problems, problem)

    def points_for(self, problem: str, received_at: datetime) -> int:
        """What a first accepted verdict on this problem is worth. A submission that raced the
        end (received after it, ADR 5) is judged but scores nothing."""
        if self.ended_at is not None and received_at > self.ended_at:
            return 0
        return self.problems.get(problem, {}).get("points", 0)


__all__ = ["AlreadyJoined", "Battle", "BattleError", "BattleFull", "BattleStatus", "LanguageNotAllowed",
           "NoProblems", "NotJoined", "NotOwner", "ProblemAlreadyAttached", "ProblemNotInBattle",
           "WrongBattleState"]
