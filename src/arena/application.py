"""ArenaApplication: verbs that load aggregates, change them and save them together.

Every method returns plain ids or values; reading of lists goes through projections.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timezone
from functools import wraps
from typing import Any, ClassVar, Protocol, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from arena.correlation import current_meta
from arena.domain.battle import Battle, BattleStatus
from arena.domain.errors import DomainError, InvalidInput, NotFound
from arena.domain.room_player import PlayerState, RoomPlayer, room_player_id
from arena.domain.settings import BattleSettings
from arena.group_commit import GroupCommit

T = TypeVar("T")


class ProblemInfo(Protocol):
    slug: str
    sha256: str
    title: str
    points: int


class ProblemCatalog(Protocol):
    def info(self, slug: str) -> ProblemInfo: ...  # raises NotFound


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def retry_on_conflict(method: Callable[..., T]) -> Callable[..., T]:
    """Optimistic concurrency: a command that lost a race is re-run on fresh state."""

    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        for _ in range(9):
            try:
                return method(*args, **kwargs)
            except IntegrityError:
                continue
        return method(*args, **kwargs)

    return wrapper


class ArenaApplication(Application[UUID]):
    name = "Arena"
    # Rebuilding an aggregate from all its events on every command costs O(version); the cache
    # keeps the last state and fast-forwards it with only the newer events (one small SELECT),
    # so it stays exact when other processes append too.
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "10000"}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        problems: ProblemCatalog,
        languages: Callable[[], frozenset[str]] = lambda: frozenset(),
        clock: Callable[[], datetime] = utc_now,
        on_saved: Callable[[], None] | None = None,
        group_commit: bool = True,
    ) -> None:
        super().__init__(env)
        self._group_commit = GroupCommit(self.events.put, max_batch=256 if group_commit else 1)
        self.problems = problems
        self.languages = languages
        self.clock = clock
        self.on_saved = on_saved

    def _record(self, processing_event: Any) -> list[Any]:
        # Stamp the correlation on every event of this save; an extra attribute is stored with
        # the event's state and ignored when the aggregate is rebuilt.
        meta = current_meta()
        if meta:
            for event in processing_event.events:
                object.__setattr__(event, "meta", meta)
        if processing_event.tracking is not None or processing_event.saved_kwargs:
            return super()._record(processing_event)
        return self._group_commit.record(processing_event.events)

    def _notify(self, recordings: list[Any]) -> None:
        if self.on_saved is not None:
            self.on_saved()

    # --- battles -------------------------------------------------------------------------

    def create_battle(self, admin_id: str, settings: BattleSettings) -> UUID:
        self._check_languages(settings.languages)
        battle = Battle.draft(admin_id, settings, self.clock())
        self.save(battle)
        return battle.id

    @retry_on_conflict
    def configure_battle(self, battle_id: UUID, changes: dict[str, Any]) -> None:
        if "languages" in changes:
            self._check_languages(changes["languages"])
        battle = self.get_battle(battle_id)
        battle.configure(changes)
        self.save(battle)

    @retry_on_conflict
    def attach_problem(self, battle_id: UUID, slug: str) -> None:
        battle = self.get_battle(battle_id)
        info = self.problems.info(slug)
        battle.attach_problem(slug=slug, sha256=info.sha256, title=info.title, points=info.points)
        self.save(battle)

    @retry_on_conflict
    def detach_problem(self, battle_id: UUID, slug: str) -> None:
        battle = self.get_battle(battle_id)
        battle.detach_problem(slug)
        self.save(battle)

    @retry_on_conflict
    def open_lobby(self, battle_id: UUID) -> None:
        battle = self.get_battle(battle_id)
        battle.open_lobby()
        self.save(battle)

    @retry_on_conflict
    def start_battle(self, battle_id: UUID, by: str) -> None:
        battle = self.get_battle(battle_id)
        battle.start(at=self.clock(), by=by)
        self.save(battle)

    @retry_on_conflict
    def end_battle(self, battle_id: UUID, reason: str) -> None:
        """Ends the battle and, in the same append, completes every player still PRESENT."""
        battle = self.get_battle(battle_id)
        at = self.clock()
        battle.end(at=at, reason=reason)
        players = [player for player in self.room(battle_id) if player.state is PlayerState.PRESENT]
        for player in players:
            player.complete(at=at)
        self.save(battle, *players)

    def end_battle_if_due(self, battle_id: UUID) -> bool:
        """Timer command: ends a running battle whose duration is over; otherwise a no-op."""
        battle = self.get_battle(battle_id)
        if battle.status is not BattleStatus.RUNNING or battle.ends_at > self.clock():
            return False
        self.end_battle(battle_id, reason="time is up")
        return True

    def start_battle_if_due(self, battle_id: UUID) -> bool:
        """Timer command: starts a battle in the lobby whose start_at has come; otherwise a no-op."""
        battle = self.get_battle(battle_id)
        start_at = battle.settings.start_at
        if battle.status is not BattleStatus.LOBBY or start_at is None or start_at > self.clock():
            return False
        self.start_battle(battle_id, by="scheduler")
        return True

    @retry_on_conflict
    def cancel_battle(self, battle_id: UUID, reason: str) -> None:
        battle = self.get_battle(battle_id)
        battle.cancel(at=self.clock(), reason=reason)
        self.save(battle)

    def get_battle(self, battle_id: UUID) -> Battle:
        return self._get(battle_id, Battle, "battle")

    # --- room players ----------------------------------------------------------------------

    @retry_on_conflict
    def join(self, battle_id: UUID, user_id: str) -> UUID:
        """Admits the user and creates their room player in one atomic save; a repeat is a no-op."""
        battle = self.get_battle(battle_id)
        if user_id in battle.players:  # whatever the battle's state: joining again is a no-op
            return room_player_id(battle_id, user_id)
        battle.admit(user_id)
        player = RoomPlayer(battle_id=battle_id, user_id=user_id, at=self.clock())
        self.save(battle, player)
        return player.id

    def get_room_player(self, battle_id: UUID, user_id: str) -> RoomPlayer:
        return self._get(room_player_id(battle_id, user_id), RoomPlayer, "player in this battle")

    def room(self, battle_id: UUID) -> list[RoomPlayer]:
        battle = self.get_battle(battle_id)
        return [self.get_room_player(battle_id, user_id) for user_id in battle.players]

    @retry_on_conflict
    def disconnect(self, battle_id: UUID, user_id: str) -> None:
        """Idempotent: disconnecting a player who is not PRESENT changes nothing."""
        player = self.get_room_player(battle_id, user_id)
        if player.state is PlayerState.PRESENT:
            player.disconnect(at=self.clock())
            self.save(player)

    @retry_on_conflict
    def reconnect(self, battle_id: UUID, user_id: str) -> None:
        """Idempotent: reconnecting a PRESENT player changes nothing; COMPLETED is final."""
        player = self.get_room_player(battle_id, user_id)
        if player.state in (PlayerState.DISCONNECTED, PlayerState.LEFT):
            player.reconnect(at=self.clock())
            self.save(player)

    @retry_on_conflict
    def mark_left(self, player_id: UUID, disconnected_at: datetime) -> bool:
        """Timer command: LEFT only if still away since that very disconnect; else a no-op."""
        player = self._get(player_id, RoomPlayer, "room player")
        if not player.is_away_since(disconnected_at):
            return False
        player.leave(at=self.clock())
        self.save(player)
        return True

    @retry_on_conflict
    def submit(self, battle_id: UUID, user_id: str, problem: str, language: str, source: str) -> str:
        battle = self.get_battle(battle_id)
        battle.check_submission(problem, language)
        if user_id not in battle.players:
            raise NotJoined(f"user {user_id!r} has not joined this battle")
        if not source.strip():
            raise InvalidInput("source", "the source is empty")
        player = self.get_room_player(battle_id, user_id)
        submission_id = str(uuid4())
        player.submit(
            submission_id=submission_id, problem=problem,
            problem_sha256=battle.problems[problem]["sha256"], language=language, source=source,
            source_sha256=hashlib.sha256(source.encode()).hexdigest(), received_at=self.clock(),
        )
        self.save(player)
        return submission_id

    @retry_on_conflict
    def record_verdict(self, player_id: UUID, submission_id: str, verdict: str,
                       details: dict[str, Any]) -> bool:
        """Idempotent: a second verdict for the same submission changes nothing (returns False)."""
        player = self._get(player_id, RoomPlayer, "room player")
        submission = player.submissions.get(submission_id, {})
        battle = self.get_battle(player.battle_id)
        points = battle.problems.get(submission.get("problem"), {}).get("points", 0)
        if battle.ended_at is not None and submission.get("received_at", battle.ended_at) > battle.ended_at:
            points = 0  # raced the end of the battle (ADR 5): judged, but it scores nothing
        if not player.record_verdict(submission_id, verdict, self.clock(), details, points):
            return False
        self.save(player)
        return True

    # --- helpers ---------------------------------------------------------------------------

    def _get(self, aggregate_id: UUID, cls: type[T], what: str) -> T:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {what} with id {aggregate_id}")
        return aggregate

    def _check_languages(self, languages: tuple[str, ...] | list[str]) -> None:
        known = self.languages()
        unknown = [language for language in languages if known and language not in known]
        if unknown:
            raise InvalidInput("languages", f"unknown here: {', '.join(unknown)} (known: {', '.join(sorted(known))})")


class NotJoined(DomainError):
    """Only players who joined may submit (409)."""


__all__ = ["ArenaApplication", "BattleStatus", "NotJoined", "ProblemCatalog", "utc_now"]
