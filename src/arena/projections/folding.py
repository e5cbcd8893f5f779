"""Projections written as a fold over buffered table writes (see writer.py).

`apply` (one event, live delivery) and `apply_batch` (thousands, rebuilds) run the same `fold`,
so a rebuild cannot drift from the live projection. A projection built with a suffix writes to
the shadow copies of its tables (`<table><suffix>`) under its own tracking name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, MetaData, Table

from arena.bus.envelope import EventEnvelope
from arena.projections.writer import TableWriter


def suffixed(tables: Sequence[Table], suffix: str) -> tuple[Table, ...]:
    """The same tables under other names (for shadow copies); the live ones when suffix is ''."""
    if not suffix:
        return tuple(tables)
    metadata = MetaData()
    return tuple(table.to_metadata(metadata, name=table.name + suffix) for table in tables)


class FoldingProjection:
    name: str
    version: int
    topics: tuple[str, ...] = ()  # what the projection reads; rebuilds filter the log with it
    tables: tuple[Table, ...] = ()
    suffix: str = ""  # '' for the live tables, '__shadow' while rebuilding

    def fold(self, writers: dict[str, TableWriter], event: EventEnvelope) -> None:
        raise NotImplementedError

    def apply(self, conn: Connection, event: EventEnvelope) -> None:
        self.apply_batch(conn, (event,))

    def apply_batch(self, conn: Connection, events: Iterable[EventEnvelope]) -> None:
        # writers are keyed by the live table name, so fold() never sees the suffix
        writers = {self._live_name(t): TableWriter(t) for t in self.tables}
        for event in events:
            self.fold(writers, event)
        for writer in writers.values():
            writer.flush(conn)

    def _live_name(self, table: Table) -> str:
        return table.name[: len(table.name) - len(self.suffix)] if self.suffix else table.name
