"""Flushing a rebuild's pages on a thread while the next page is folded.

Once a page is folded, PostgreSQL still has to ingest it (COPY, index updates): thousands of
rows, as long as the fold itself. Flushed on a thread, that work runs on the database's core
while this one folds the next page (psycopg releases the GIL while it waits). Pages are
flushed in order, each in its own transaction, as before: a later page may update rows an
earlier one inserted.

A page's commit does not wait for its WAL to reach the disk: nothing reads the shadow tables
before the swap, whose own (synchronous) commit flushes the WAL written before it, and a
rebuild that did not reach the swap starts over anyway.
"""

from __future__ import annotations

from queue import Full, Queue
from threading import Thread
from types import TracebackType

from sqlalchemy import Engine

from arena.projections.folding import Writers, flush


class WriteBehind:
    def __init__(self, engine: Engine, depth: int = 2) -> None:
        self._engine = engine
        self._queue: Queue[Writers | None] = Queue(maxsize=depth)
        self._failure: BaseException | None = None
        self._cancelled = False
        self._thread = Thread(target=self._run, name="arena-rebuild-writer", daemon=True)
        self._thread.start()

    def submit(self, writers: Writers) -> None:
        """Queues a folded page; raises the failure of an earlier page, if any."""
        while True:
            if self._failure is not None:
                raise self._failure
            try:
                self._queue.put(writers, timeout=0.1)
                return
            except Full:
                continue

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        """Waits until every page is written and raises the first failure; when the caller
        failed, the pages still queued are dropped instead."""
        self._cancelled = kind is not None
        self._queue.put(None)  # never blocks for long: the thread drains the queue even after a failure
        self._thread.join()
        if kind is None and self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        while (writers := self._queue.get()) is not None:
            if self._failure is not None or self._cancelled:
                continue
            try:
                with self._engine.begin() as conn:
                    if conn.dialect.name == "postgresql":  # see below
                        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                    flush(conn, writers)
            except BaseException as exc:  # hand it to the caller at its next submit or at exit
                self._failure = exc
