"""How a command runs: as attempts, re-run on fresh state when one lost a race (ADR 9), queued
behind the others on the aggregates it names (locks.py), and under the request's
Idempotency-Key when it is the request's first command (command_keys.py, ADR 18).

- An Attempt records the aggregates the run read (id -> version), whether it saved, and the key
  and answer its first save appends with its events.
- A keyed command looks for its kept answer before running again where it may have committed
  before: when its key was taken over, and after any failed attempt.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial, wraps
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from arena.application.command_keys import CommandKey, encode_answer, running_key
from arena.application.locks import Busy
from arena.db.command_keys import KeptCommand
from arena.domain.errors import DomainError

if TYPE_CHECKING:
    from arena.application.machinery import CommandMachinery

T = TypeVar("T")
Locking = Callable[..., Iterable[UUID]]  # the command's arguments, by name -> aggregate ids
TRIES = 10


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
            look = False
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
