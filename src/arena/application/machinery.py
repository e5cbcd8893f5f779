"""The write side's machinery, under every verb: how a command reads, decides and appends.

- A command runs as attempts (attempts.py): `retry_on_conflict` re-runs one that lost a race,
  on fresh state (ADR 9), queued behind the others on the aggregates it names (locks.py); one
  that still loses every try answers Busy (503), never a crash. A request's Idempotency-Key
  reaches its command there: its answer is appended with its events (ADR 18).
- Reads come from the process cache without a store round trip where the store checks them at
  append time (PostgreSQL); saves from concurrent threads go out in one group commit (ADR 8).
The verbs themselves live in one small module per aggregate (battles, room, submissions,
settlement); arena.application.app composes them into the one ArenaApplication.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import datetime, timezone
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.utils import strtobool

from arena.application.attempts import _this_thread, retry_on_conflict
from arena.application.cache import ImmutableCacheRepository
from arena.application.command_keys import CommandKey, kept_answer_for
from arena.application.locks import AggregateLocks
from arena.application.snapshots import snapshot_saved
from arena.correlation import current_meta
from arena.db.command_keys import KeptCommand
from arena.domain.errors import NotFound
from arena.group_commit import GroupCommit

__all__ = ["CommandMachinery", "retry_on_conflict", "utc_now"]  # the verbs' modules import these here
T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class CommandMachinery(Application[UUID]):
    """eventsourcing's Application with arena's command machinery; no verbs of its own."""

    name = "Arena"
    # Rebuilding an aggregate from all its events on every command costs O(version); the cache
    # keeps the last state and fast-forwards it with only the newer events (one small SELECT),
    # so it stays exact when other processes append too.
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "10000"}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_saved: Callable[[], None] | None = None,
        group_commit: bool = True,
    ) -> None:
        super().__init__(env)
        # PostgreSQL's EventRecorder checks a command's reads inside its append (ADR 9), which
        # makes deciding on cached aggregates safe; elsewhere every read is fast-forwarded.
        self.decides_on_cache = getattr(self.recorder, "checks_reads", False)
        # Only PostgreSQL's EventRecorder appends a command's key with its events (ADR 18).
        self.keeps_command_keys = getattr(self.recorder, "keeps_command_keys", False)
        self._group_commit = GroupCommit(self._write, max_batch=256 if group_commit else 1)
        self.clock = clock
        self.on_saved = on_saved
        self.locks = AggregateLocks()

    repository: ImmutableCacheRepository

    def construct_repository(self) -> ImmutableCacheRepository:
        """eventsourcing's own construction, with a cache whose aggregates never change in place."""
        maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return ImmutableCacheRepository(
            event_store=self.events, snapshot_store=self.snapshots,
            cache_maxsize=int(maxsize) if maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")))

    def save(self, *objs: Any, answer: Any = None, **kwargs: Any) -> list[Any]:
        """`answer`: the verb's result (an id), kept with the events when the request has a key."""
        attempt = _this_thread.attempt
        if attempt is not None and answer is not None:
            attempt.answer = answer
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
        snapshot_saved(self.snapshots, self.snapshotting_intervals, processing_event)
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
        keys = attempt.keep() if attempt is not None and processing_event.events else []
        recordings = self._group_commit.record(processing_event.events, reads, keys)
        if attempt is not None and processing_event.events:
            attempt.saved = True  # the append checked every read: the decision stands
        self._remember(processing_event.aggregates.values())
        return recordings

    def _write(self, events: list[Any], reads: list[tuple[UUID, int]], keys: list[KeptCommand]) -> list[Any]:
        if self.decides_on_cache:
            return self.events.put(events, reads=reads, keys=keys)
        return self.events.put(events)

    def _kept(self, key: CommandKey) -> tuple[bool, Any]:
        """(True, the kept answer) if the key's command was appended before; else (False, None)."""
        if not self.keeps_command_keys:
            return False, None
        return kept_answer_for(key, self.recorder.kept_command(key.principal, key.key))

    def _remember(self, aggregates: Any) -> None:
        """Keeps what was just saved as the cached state (never replacing a newer one).

        The saved objects themselves are kept, without a copy: a verb's save is its last change
        to them, and from here on they are the cache's, which never changes them (cache.py)."""
        for aggregate in aggregates:
            self.repository.offer(aggregate)

    def _notify(self, recordings: list[Any]) -> None:
        if self.on_saved is None:
            return
        outer, _this_thread.attempt = _this_thread.attempt, None  # not part of the saving command
        try:
            self.on_saved()
        finally:
            _this_thread.attempt = outer

    def _get(self, aggregate_id: UUID, cls: type[T], what: str) -> T:
        """The aggregate, the command's own to change (a copy)."""
        return self._load(aggregate_id, cls, what, self._cached_copy)

    def _read(self, aggregate_id: UUID, cls: type[T], what: str) -> T:
        """The aggregate to decide on but NOT to change: from the cache it is the cached object
        itself, with no copy (a submission reads its battle, whose copy cost as much as the rest
        of the command). Its version is checked at append time like any other read."""
        return self._load(aggregate_id, cls, what, self.repository.cached)

    def _load(self, aggregate_id: UUID, cls: type[T], what: str, from_cache: Callable[[UUID], Any]) -> T:
        attempt = _this_thread.attempt
        aggregate = from_cache(aggregate_id) if attempt is not None and attempt.cached else None
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
        """The cached state as it is, without the store round trip that fast-forwards it.
        No lock: a cached object is never changed, a newer state replaces it (cache.py)."""
        cached = self.repository.cached(aggregate_id)
        return deepcopy(cached) if cached is not None else None
