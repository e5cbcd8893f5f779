"""The write side's machinery, under every verb: how a command reads, decides and appends.

- A command runs as an Attempt: the aggregates it read (id -> version) and whether it saved.
- `retry_on_conflict` re-runs a command that lost a race, on fresh state (ADR 9); a command that
  names the aggregates it decides on first queues behind the others on them (locks.py), and
  one that still loses every try answers Busy (503), never a crash.
- Reads come from the process cache without a store round trip where the store checks them at
  append time (PostgreSQL); saves from concurrent threads go out in one group commit (ADR 8).
- A request's Idempotency-Key reaches its command (command_keys.py): the command's answer is
  appended with its events, and a command whose key was kept answers that instead (ADR 18).
The verbs themselves live in one small module per aggregate (battles, room, submissions,
settlement); arena.application.app composes them into the one ArenaApplication.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial, wraps
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import strtobool

from arena.application.cache import ImmutableCacheRepository
from arena.application.command_keys import CommandKey, encode_answer, kept_answer_for, running_key
from arena.application.locks import AggregateLocks, Busy
from arena.application.snapshots import snapshot_saved
from arena.correlation import current_meta
from arena.db.command_keys import KeptCommand
from arena.domain.errors import DomainError, NotFound
from arena.group_commit import GroupCommit

T = TypeVar("T")
Locking = Callable[..., Iterable[UUID]]  # the command's arguments, by name -> aggregate ids
TRIES = 10


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Attempt:
    """One run of a command: the aggregates it read (id -> version), and whether it saved."""

    cached: bool  # may take aggregates from this process's cache without asking the store
    reads: dict[UUID, int] = field(default_factory=dict)
    saved: bool = False
    key: CommandKey | None = None  # the request's Idempotency-Key, kept with the first save
    answer: Any = None  # the verb's result, as given to save(answer=...)

    def keep(self) -> list[KeptCommand]:
        """The key's row to append with this save: with the command's first save only."""
        key, self.key = self.key, None
        if key is None:
            return []
        return [KeptCommand(key.principal, key.key, key.request_hash, encode_answer(self.answer))]


class _ThisThread(threading.local):
    # Per thread, not a ContextVar: executors and event loops copy contexts into the threads
    # and tasks they start, and a judge thread must not find the submitting command's attempt.
    attempt: Attempt | None = None


_this_thread = _ThisThread()


def retry_on_conflict(method: Callable[..., T] | None = None, *, locking: Locking | None = None) -> Any:
    """Optimistic concurrency: a command that lost a race is re-run on fresh state.

    Where the store checks reads at append time (PostgreSQL, ADR 9), the first run takes its
    aggregates from the cache without a round trip: if any of them changed meanwhile, the append
    fails as a conflict. A first run that refused (DomainError) or saved nothing may have decided
    on stale state, so it is run once more on fresh state, whose answer stands.

    `locking` (used as `@retry_on_conflict(locking=...)`) is given the command's arguments by
    name and names the aggregates it changes; their locks are held around its attempts, so
    commands on one aggregate in this process run one after the other. Conflicts then come only
    from other processes; if one still loses every try, it raises Busy (nothing was changed).
    """
    if method is None:
        return partial(retry_on_conflict, locking=locking)
    # The command's parameter names, once: naming its arguments for `locking` with
    # inspect.Signature.bind on every call cost a command 17 µs.
    names = tuple(inspect.signature(method).parameters)[1:]  # without self

    @wraps(method)
    def wrapper(self: CommandMachinery, *args: Any, **kwargs: Any) -> T:
        key = _request_key()
        if locking is None:
            return _attempts(self, method, args, kwargs, key)
        aggregate_ids = locking(**dict(zip(names, args)), **kwargs)
        with self.locks.hold(aggregate_ids):
            return _attempts(self, method, args, kwargs, key)

    return wrapper


def _request_key() -> CommandKey | None:
    """The request's Idempotency-Key, for its first command only (not one nested in another)."""
    key = running_key.get()
    if key is None or _this_thread.attempt is not None or not key.claim():
        return None
    return key


def _attempts(self: CommandMachinery, method: Callable[..., T], args: Any, kwargs: Any,
              key: CommandKey | None = None) -> T:
    """Runs the command as attempts (see retry_on_conflict) until one's answer stands.

    A keyed command looks for its kept answer first when its key was used before, and again
    whenever an attempt fails: the failure may be the key itself, kept by an earlier run."""
    outer = _this_thread.attempt
    cached = self.decides_on_cache
    look = key is not None and key.may_be_kept
    for tries_left in reversed(range(TRIES)):
        if look:
            found, answer = self._kept(key)
            if found:
                return answer
        attempt = _this_thread.attempt = Attempt(cached=cached, key=key if self.keeps_command_keys else None)
        try:
            result = method(self, *args, **kwargs)
        except IntegrityError as exc:
            if not tries_left:
                raise Busy(f"lost {TRIES} races for the same data; try again shortly") from exc
            cached = False
            look = key is not None
            continue
        except DomainError:
            if key is not None:  # refused now, but perhaps because an earlier run did it
                found, answer = self._kept(key)
                if found:
                    return answer
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
