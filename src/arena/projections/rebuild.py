"""`arena projections rebuild NAME`: replay the notification log into shadow tables, then swap.

1. Empty shadow tables (shadow.py) and tracking rows under `<name>__shadow`.
2. Stream the log from the start in large pages, only the topics the projection reads (read
   ahead on a thread), fold each page of raw rows (decoding only what the handlers read) and
   write it in one transaction (behind, on another thread); the tracking rows once at the end.
3. In ONE transaction: lock the tracking table and the live tables, apply what arrived during
   step 2, swap tables and tracking rows, drop the old. A delivery blocked by the locks resumes
   on the swapped tracking rows, so nothing is lost and nothing applied twice.
Before the swap, a rebuild that cannot be right is refused (RebuildRefused) and its shadow
dropped: one that applied nothing from a log holding the projection's events, or that has fewer
rows than the live model (the live model only ever lags the log), unless `force`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import Connection, Engine, delete, func, select, table, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from arena.db.tables import projection_tracking
from arena.gc_paused import gc_paused
from arena.projections import shadow
from arena.projections.checksum import checksum
from arena.projections.log_reader import Row, prefetched, read_pages
from arena.projections.progress import ProgressBar
from arena.projections.registry import SHADOW, registry
from arena.projections.write_behind import WriteBehind
from arena.projections.writer import TableWriter


@dataclass(frozen=True)
class RebuildResult:
    name: str
    scanned: int  # log positions covered (the whole log)
    applied: int  # events of the projection's topics, decoded and applied
    seconds: float
    checksum: str
    rows: int  # in the rebuilt tables


class RebuildRefused(Exception):
    """The rebuilt model is implausible; it was dropped and the live one left as it was."""


def rebuild(engine: Engine, app: Any, name: str, progress: TextIO | None = None,
            page: int = 10_000, force: bool = False) -> RebuildResult:
    """Rebuilds projection `name` from the event store of `app` and swaps it in."""
    if page < 1:
        raise ValueError(f"page must be at least 1, not {page}")
    entry, started = registry()[name], time.monotonic()
    target = entry.build(SHADOW)
    topics = tuple(getattr(target, "topics", ()))
    with engine.begin() as conn:
        shadow.create(conn, entry.tables, SHADOW)
        conn.execute(delete(projection_tracking).where(projection_tracking.c.projection == target.name))
    end = app.recorder.max_notification_id() or 0
    bar = ProgressBar(end, progress, label="log positions")
    position, applied, versions = 0, 0, {}
    with gc_paused():
        with WriteBehind(engine) as written:
            for rows, last in prefetched(read_pages(app, engine, position, page, topics, stop=end)):
                written.submit(target.fold_rows(rows))
                versions.update(_last_versions(rows))
                bar.advance(last - position)
                position, applied = last, applied + len(rows)
        with engine.begin() as conn:  # the shadow's tracking, once: a failed rebuild starts over
            _write_tracking(conn, target.name, versions)
    bar.advance(end - position)  # the tail of the log held no event of ours
    bar.finish()
    try:
        with _exclusive(engine) as conn:
            shadow.lock(conn, entry.tables)
            for rows, last in read_pages(app, engine, position, page, topics):  # what arrived meanwhile
                _apply(conn, target, rows)
                position, applied = last, applied + len(rows)
            rebuilt = _count_rows(conn, entry.tables, SHADOW)
            _refuse_implausible(app, engine, topics, applied, rebuilt, _count_rows(conn, entry.tables), force)
            shadow.swap(conn, entry.tables, SHADOW)
            _swap_tracking(conn, live=name, rebuilt=target.name)
    except RebuildRefused:
        with engine.begin() as conn:
            shadow.drop(conn, entry.tables, SHADOW)
            conn.execute(delete(projection_tracking).where(projection_tracking.c.projection == target.name))
        raise
    seconds = time.monotonic() - started
    return RebuildResult(name, max(position, end), applied, seconds, checksum(engine, name), rebuilt)


def _count_rows(conn: Connection, tables: Any, suffix: str = "") -> int:
    return sum(conn.execute(select(func.count()).select_from(table(live.name + suffix))).scalar_one()
               for live in tables)


def _refuse_implausible(app: Any, engine: Engine, topics: tuple[str, ...], applied: int, rebuilt: int,
                        live: int, force: bool) -> None:
    if applied == 0 and _log_holds(app, engine, topics):
        raise RebuildRefused("it applied no event, though the log holds events of this projection")
    if rebuilt < live and not force:
        raise RebuildRefused(f"it has {rebuilt} rows where the live model has {live}; the live model "
                             "only ever lags the log, so this rebuild missed something (--force swaps anyway)")


def _log_holds(app: Any, engine: Engine, topics: tuple[str, ...]) -> bool:
    with closing(read_pages(app, engine, 0, 1, topics)) as pages:
        return next(pages, None) is not None


def _apply(conn: Connection, target: Any, rows: list[Row]) -> None:
    """The catch-up under the swap's locks: apply, then upsert the tracking rows."""
    if not rows:
        return
    target.apply_rows(conn, rows)
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(projection_tracking)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[projection_tracking.c.projection, projection_tracking.c.originator_id],
        set_={"version": statement.excluded.version}),
        [{"projection": target.name, "originator_id": k, "version": v}
         for k, v in _last_versions(rows).items()])


def _last_versions(rows: list[Row]) -> dict[str, int]:
    # the log is in version order per aggregate: the last one wins
    return {originator_id: version for _, originator_id, version, _, _ in rows}


def _write_tracking(conn: Connection, projection: str, versions: dict[str, int]) -> None:
    writer = TableWriter(projection_tracking)
    for originator_id, version in versions.items():
        writer.insert({"projection": projection, "originator_id": originator_id, "version": version})
    writer.flush(conn)


def _swap_tracking(conn: Connection, live: str, rebuilt: str) -> None:
    conn.execute(delete(projection_tracking).where(projection_tracking.c.projection == live))
    conn.execute(update(projection_tracking).where(projection_tracking.c.projection == rebuilt)
                 .values(projection=live))


@contextmanager
def _exclusive(engine: Engine) -> Iterator[Connection]:
    """One transaction around the swap. SQLite's driver would run DDL outside any transaction,
    so there we take manual control and BEGIN IMMEDIATE (the write lock) ourselves."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            yield conn
        return
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        previous, driver.isolation_level = driver.isolation_level, None
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        finally:
            driver.isolation_level = previous
