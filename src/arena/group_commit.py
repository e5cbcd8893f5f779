"""Group commit for the event store.

eventsourcing's PostgreSQL recorder holds an EXCLUSIVE table lock until its transaction commits
(that is what keeps notification ids in commit order, which the relay relies on), so concurrent
writers queue behind each other's fsync one at a time. Here the saves that arrive while one
append is being written wait, and the next writer appends all of them in ONE transaction: one
lock, one fsync, many commands. If that combined append fails (typically one command lost an
optimistic-concurrency race), each waiting save is written alone, so only the loser sees its
error and the others succeed.

Each save may carry its read set: (aggregate id, version) pairs the writer must check, inside
the append, are still the latest (see ArenaApplication). A batch checks the union of them. It
may carry the kept answers of its command keys too (application/command_keys.py), appended with
its events; a batch appends all of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

Read = tuple[Any, int]  # (aggregate id, version the command read it at)
Write = Callable[[Sequence[Any], Sequence[Read], Sequence[Any]], list[Any]]  # events, reads, keys -> recordings


class _Save:
    __slots__ = ("events", "reads", "keys", "recordings", "error", "lead", "settled", "wake")

    def __init__(self, events: Sequence[Any], reads: Sequence[Read], keys: Sequence[Any]) -> None:
        self.events = events
        self.reads = reads
        self.keys = keys
        self.recordings: list[Any] = []
        self.error: BaseException | None = None
        self.lead = False  # this save's thread writes the next batch
        self.settled = False
        self.wake = threading.Event()


class GroupCommit:
    def __init__(self, write: Write, max_batch: int = 256) -> None:
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Save] = []
        self._writing = False

    def record(self, events: Sequence[Any], reads: Sequence[Read] = (), keys: Sequence[Any] = ()) -> list[Any]:
        """Appends the events (atomically, as one save, with its keys) and returns their recordings."""
        if not events:
            return []
        save = _Save(events, reads, keys)
        with self._lock:
            self._waiting.append(save)
            if not self._writing:
                self._writing = save.lead = True
        if not save.lead:
            save.wake.wait()  # until written by another thread, or asked to write next
        if not save.settled:
            self._write_batches_until(save)
        if save.error is not None:
            raise save.error
        return save.recordings

    def _write_batches_until(self, mine: _Save) -> None:
        """Writes what waits (including `mine`), then hands the pen to the next waiter."""
        try:
            while not mine.settled:
                with self._lock:
                    batch = self._waiting[: self._max_batch]
                    del self._waiting[: self._max_batch]
                self._commit(batch)
        finally:
            self._hand_over()

    def _hand_over(self) -> None:
        with self._lock:
            if self._waiting:
                successor = self._waiting[0]
                successor.lead = True
                successor.wake.set()
            else:
                self._writing = False

    def _commit(self, batch: list[_Save]) -> None:
        try:
            if len(batch) == 1:
                self._write_one(batch[0])
                return
            try:
                recordings = self._write([event for save in batch for event in save.events],
                                         [read for save in batch for read in save.reads],
                                         [key for save in batch for key in save.keys])
            except Exception:  # someone's conflict (or a failure): each save on its own
                for save in batch:
                    self._write_one(save)
                return
            self._share(batch, recordings)
        except BaseException as exc:  # never leave a waiter hanging
            for save in batch:
                save.error = save.error or exc
            raise
        finally:
            for save in batch:
                save.settled = True
                save.wake.set()

    def _write_one(self, save: _Save) -> None:
        try:
            save.recordings = self._write(save.events, save.reads, save.keys)
        except Exception as exc:
            save.error = exc

    @staticmethod
    def _share(batch: list[_Save], recordings: list[Any]) -> None:
        if len(recordings) != sum(len(save.events) for save in batch):
            return  # a recorder that returns no recordings: nobody gets any
        start = 0
        for save in batch:
            save.recordings = recordings[start:start + len(save.events)]
            start += len(save.events)
