"""ArenaApplication: verbs that load aggregates, change them and save them together.

Every method returns plain ids or values; reading of lists goes through projections.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import wraps
from typing import Any, ClassVar, Protocol, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
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


@dataclass
class Attempt:
    """One run of a command: the aggregates it read (id -> version), and whether it saved."""

    cached: bool  # may take aggregates from this process's cache without asking the store
    reads: dict[UUID, int] = field(default_factory=dict)
    saved: bool = False


class _ThisThread(threading.local):
    # Per thread, not a ContextVar: executors and event loops copy contexts into the threads
    # and tasks they start, and a judge thread must not find the submitting command's attempt.
    attempt: Attempt | None = None


_this_thread = _ThisThread()


def retry_on_conflict(method: Callable[..., T]) -> Callable[..., T]:
    """Optimistic concurrency: a command that lost a race is re-run on fresh state.

    Where the store checks reads at append time (PostgreSQL, ADR 9), the first run takes its
    aggregates from the cache without a round trip: if any of them changed meanwhile, the append
    fails as a conflict. A first run that refused (DomainError) or saved nothing may have decided
    on stale state, so it is run once more on fresh state, whose answer stands.
    """

    @wraps(method)
    def wrapper(self: ArenaApplication, *args: Any, **kwargs: Any) -> T:
        outer = _this_thread.attempt
        cached = self.decides_on_cache
        for tries_left in reversed(range(10)):
            attempt = _this_thread.attempt = Attempt(cached=cached)
            try:
                result = method(self, *args, **kwargs)
            except IntegrityError:
                if not tries_left:
                    raise
                cached = False
                continue
            except DomainError:
                if not (attempt.cached and attempt.reads):
                    raise
                cached = False
                continue
            finally:
                _this_thread.attempt = outer
            if attempt.cached and attempt.reads and not attempt.saved:
                cached = False  # a no-op decided on cached state: confirm it on fresh state
                continue
            return result
        raise AssertionError("unreachable")

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
        # PostgreSQL's EventRecorder checks a command's reads inside its append (ADR 9), which
        # makes deciding on cached aggregates safe; elsewhere every read is fast-forwarded.
        self.decides_on_cache = getattr(self.recorder, "checks_reads", False)
        self._group_commit = GroupCommit(self._write, max_batch=256 if group_commit else 1)
        self.problems = problems
        self.languages = languages
        self.clock = clock
        self.on_saved = on_saved

    def save(self, *objs: Any, **kwargs: Any) -> list[Any]:
        # eventsourcing's collect_events tests each object against runtime-checkable Protocols,
        # which Python 3.11 re-derives on every check (a tenth of a command's CPU); commands
        # save only aggregates, so they are collected directly. Anything else: the library's way.
        if kwargs or not all(isinstance(obj, Aggregate) for obj in objs):
            return super().save(*objs, **kwargs)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for aggregate in objs:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _record(self, processing_event: Any) -> list[Any]:
        # Stamp the correlation on every event of this save; an extra attribute is stored with
        # the event's state and ignored when the aggregate is rebuilt.
        meta = current_meta()
        if meta:
            for event in processing_event.events:
                object.__setattr__(event, "meta", meta)
        if processing_event.tracking is not None or processing_event.saved_kwargs:
            return super()._record(processing_event)
        attempt = _this_thread.attempt
        reads = list(attempt.reads.items()) if attempt is not None else []
        recordings = self._group_commit.record(processing_event.events, reads)
        if attempt is not None and processing_event.events:
            attempt.saved = True  # the append checked every read: the decision stands
        self._remember(processing_event.aggregates.values())
        return recordings

    def _write(self, events: list[Any], reads: list[tuple[UUID, int]]) -> list[Any]:
        if self.decides_on_cache:
            return self.events.put(events, reads=reads)
        return self.events.put(events)

    def _remember(self, aggregates: Any) -> None:
        """Keeps what was just saved as the cached state (never replacing a newer one).

        The saved objects themselves are kept: commands get deep copies and drop theirs."""
        cache = self.repository.cache
        if cache is None:
            return
        # No lock: if two saves of one aggregate race here and the older wins, the next command
        # decided on it conflicts at append time and re-runs on fresh state (ADR 9).
        for aggregate in aggregates:
            try:
                cached = cache.get(aggregate.id)
            except KeyError:
                cached = None
            if cached is None or cached.version < aggregate.version:
                cache.put(aggregate.id, aggregate)

    def _notify(self, recordings: list[Any]) -> None:
        if self.on_saved is None:
            return
        outer, _this_thread.attempt = _this_thread.attempt, None  # not part of the saving command
        try:
            self.on_saved()
        finally:
            _this_thread.attempt = outer

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
        attempt = _this_thread.attempt
        aggregate = self._cached_copy(aggregate_id) if attempt is not None and attempt.cached else None
        if aggregate is None:
            try:
                aggregate = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise NotFound(f"no {what} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {what} with id {aggregate_id}")
        if attempt is not None:
            attempt.reads.setdefault(aggregate_id, aggregate.version)
        return aggregate

    def _cached_copy(self, aggregate_id: UUID) -> Any:
        """The cached state as it is, without the store round trip that fast-forwards it."""
        cache = self.repository.cache
        try:
            cached = cache.get(aggregate_id) if cache is not None else None
        except KeyError:
            return None
        return deepcopy(cached) if cached is not None else None

    def _check_languages(self, languages: tuple[str, ...] | list[str]) -> None:
        known = self.languages()
        unknown = [language for language in languages if known and language not in known]
        if unknown:
            raise InvalidInput("languages", f"unknown here: {', '.join(unknown)} (known: {', '.join(sorted(known))})")


class NotJoined(DomainError):
    """Only players who joined may submit (409)."""


__all__ = ["ArenaApplication", "BattleStatus", "NotJoined", "ProblemCatalog", "utc_now"]
