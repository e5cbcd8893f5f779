"""Battle verbs: create, configure, attach problems, open the lobby, start, end, cancel.

Every admin verb takes the actor (`by`: an Admin, or SYSTEM for the timers) and asks the battle
whether that actor may run it (Battle.check_actor) before it changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from arena.application.keys import the_battle
from arena.application.machinery import CommandMachinery, retry_on_conflict
from arena.domain.acting import SYSTEM, Actor
from arena.domain.battle import Battle
from arena.domain.errors import DomainError, InvalidInput
from arena.domain.room_player import PlayerState, RoomPlayer, room_player_id
from arena.domain.settings import BattleSettings


class ProblemInfo(Protocol):
    slug: str
    sha256: str
    title: str
    points: int


class ProblemCatalog(Protocol):
    def info(self, slug: str) -> ProblemInfo: ...  # raises NotFound

    def lobby_blockers(self, hashes: dict[str, str]) -> list[str]: ...  # unverified packages


class BattleVerbs(CommandMachinery):
    problems: ProblemCatalog
    languages: Callable[[], frozenset[str]]

    @retry_on_conflict  # a new battle races nobody, but its Idempotency-Key may (ADR 18)
    def create_battle(self, admin_id: str, settings: BattleSettings) -> UUID:
        self._check_languages(settings.languages)
        battle = Battle.draft(admin_id, settings, self.clock())
        self.save(battle, answer=battle.id)
        return battle.id

    @retry_on_conflict(locking=the_battle)
    def add_co_admin(self, battle_id: UUID, user_id: str, by: Actor) -> None:
        """The owner shares the battle with another admin; a repeat is a no-op."""
        battle = self._battle_run_by(battle_id, by)
        battle.add_co_admin(user_id, by)
        self.save(battle)

    @retry_on_conflict(locking=the_battle)
    def configure_battle(self, battle_id: UUID, changes: dict[str, Any], by: Actor) -> None:
        battle = self._battle_run_by(battle_id, by)
        if "languages" in changes:
            self._check_languages(changes["languages"])
        battle.configure(changes)
        self.save(battle)

    @retry_on_conflict(locking=the_battle)
    def attach_problem(self, battle_id: UUID, slug: str, by: Actor, points: int | None = None) -> None:
        """Attaches a problem worth its own points, or `points` in this battle only."""
        battle = self._battle_run_by(battle_id, by)
        info = self.problems.info(slug)
        battle.attach_problem(slug=slug, sha256=info.sha256, title=info.title,
                              points=info.points if points is None else points)
        self.save(battle)

    @retry_on_conflict(locking=the_battle)
    def detach_problem(self, battle_id: UUID, slug: str, by: Actor) -> None:
        battle = self._battle_run_by(battle_id, by)
        battle.detach_problem(slug)
        self.save(battle)

    @retry_on_conflict(locking=the_battle)
    def open_lobby(self, battle_id: UUID, by: Actor) -> None:
        battle = self._battle_run_by(battle_id, by)
        # A package's own submissions must have got their verdicts first (ADR 27).
        blockers = self.problems.lobby_blockers({slug: p["sha256"] for slug, p in battle.problems.items()})
        if blockers:
            raise ProblemNotVerified("; ".join(blockers))
        battle.open_lobby()
        self.save(battle)

    @retry_on_conflict(locking=the_battle)
    def start_battle(self, battle_id: UUID, by: Actor) -> None:
        battle = self._battle_run_by(battle_id, by)
        battle.start(at=self.clock(), by=by)
        self.save(battle)

    @retry_on_conflict(locking=the_battle)
    def end_battle(self, battle_id: UUID, reason: str, by: Actor) -> None:
        """Ends the battle and, in the same append, completes every player still PRESENT."""
        battle = self._battle_run_by(battle_id, by)
        at = self.clock()
        battle.end(at=at, reason=reason)
        room = (self._get(room_player_id(battle_id, user), RoomPlayer, "room player") for user in battle.players)
        players = [player for player in room if player.state is PlayerState.PRESENT]
        for player in players:
            player.complete(at=at)
        self.save(battle, *players)

    @retry_on_conflict(locking=the_battle)
    def extend_battle(self, battle_id: UUID, seconds: int, by: Actor) -> None:
        battle = self._battle_run_by(battle_id, by)
        battle.extend(seconds, at=self.clock(), by=by)
        self.save(battle)

    def end_battle_if_due(self, battle_id: UUID) -> bool:
        """Timer command: ends a running battle whose duration is over; otherwise a no-op."""
        if not self.get_battle(battle_id).is_due_to_end(self.clock()):
            return False
        self.end_battle(battle_id, reason="time is up", by=SYSTEM)
        return True

    def start_battle_if_due(self, battle_id: UUID) -> bool:
        """Timer command: starts a battle in the lobby whose start_at has come; otherwise a no-op."""
        if not self.get_battle(battle_id).is_due_to_start(self.clock()):
            return False
        self.start_battle(battle_id, by=SYSTEM)
        return True

    @retry_on_conflict(locking=the_battle)
    def cancel_battle(self, battle_id: UUID, reason: str, by: Actor) -> None:
        battle = self._battle_run_by(battle_id, by)
        battle.cancel(at=self.clock(), reason=reason)
        self.save(battle)

    def get_battle(self, battle_id: UUID) -> Battle:
        return self._get(battle_id, Battle, "battle")

    def _battle_run_by(self, battle_id: UUID, by: Actor) -> Battle:
        battle = self.get_battle(battle_id)
        battle.check_actor(by)  # NotOwner (403) before anything else is checked or changed
        return battle

    def _check_languages(self, languages: tuple[str, ...] | list[str]) -> None:
        # Which languages this installation judges is a fact of the host, not of the domain.
        known = self.languages()
        unknown = [language for language in languages if known and language not in known]
        if unknown:
            raise InvalidInput("languages", f"unknown here: {', '.join(unknown)} (known: {', '.join(sorted(known))})")


class ProblemNotVerified(DomainError):
    """A problem's package failed its verification, or is still being verified (409)."""
