"""Projections written as a fold over buffered table writes (see writer.py).

A projection's rules are its handlers: one method per event class, marked with `@folds(Event,
*keys)`, where `keys` are the keys of the event's data the handler reads. Live delivery
(`apply`, one envelope) and rebuilds (`fold_rows`, a page of raw log rows) dispatch to the
same handlers by topic, so a rebuild cannot drift from the live projection; a rebuild decodes
only the declared keys (fields.py) and builds no envelopes. A projection built with a suffix writes to the shadow
copies of its tables (`<table><suffix>`) under its own tracking name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, MetaData, Table

from arena.bus.envelope import EventEnvelope
from arena.projections.fields import FieldDecoder
from arena.projections.log_reader import Row
from arena.projections.writer import TableWriter

Writers = dict[str, TableWriter]  # keyed by the live table name, so handlers never see the suffix


def suffixed(tables: Sequence[Table], suffix: str) -> tuple[Table, ...]:
    """The same tables under other names (for shadow copies); the live ones when suffix is ''."""
    if not suffix:
        return tuple(tables)
    metadata = MetaData()
    return tuple(table.to_metadata(metadata, name=table.name + suffix) for table in tables)


def folds(event_class: type, *reads: str) -> Callable[[Callable], Callable]:
    """Marks the handler of one event class; `reads` names the keys of its data the handler reads."""
    def mark(handler: Callable) -> Callable:
        handler.__dict__.setdefault("folds", []).append((event_class, reads))
        return handler
    return mark


class Logged:
    """What a handler reads of an event in a rebuild, in place of an envelope: the aggregate's
    id as text (handlers take `str(event.originator_id)`), the event's time, and its data
    with only the keys the handler declared."""

    __slots__ = ("originator_id", "timestamp", "data")

    def __init__(self, originator_id: str, timestamp: datetime, data: dict[str, Any]) -> None:
        self.originator_id, self.timestamp, self.data = originator_id, timestamp, data


Folded = EventEnvelope | Logged  # what a handler reads: live, an envelope; in a rebuild, a Logged


class FoldingProjection:
    name: str
    version: int
    tables: tuple[Table, ...] = ()
    suffix: str = ""  # '' for the live tables, '__shadow' while rebuilding
    _handlers: dict[str, tuple[str, type, tuple[str, ...]]] = {}  # topic -> (method, event class, reads)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = dict(cls._handlers)
        for attribute, member in vars(cls).items():
            for event_class, reads in getattr(member, "folds", ()):
                cls._handlers[get_topic(event_class)] = (attribute, event_class, reads)

    @property
    def topics(self) -> tuple[str, ...]:
        """What the projection reads; rebuilds filter the log with it."""
        return tuple(self._handlers)

    def fold(self, writers: Writers, event: EventEnvelope) -> None:
        entry = self._handlers.get(event.topic)
        if entry is not None:  # deliveries bring every topic; we read only ours
            getattr(self, entry[0])(writers, event)

    def apply(self, conn: Connection, event: EventEnvelope) -> None:
        self.apply_batch(conn, (event,))

    def apply_batch(self, conn: Connection, events: Iterable[EventEnvelope]) -> None:
        writers = self._writers()
        for event in events:
            self.fold(writers, event)
        flush(conn, writers)

    def apply_rows(self, conn: Connection, rows: Iterable[Row]) -> None:
        flush(conn, self.fold_rows(rows))

    def fold_rows(self, rows: Iterable[Row]) -> Writers:
        """A rebuild's page: rows of this projection's topics straight from the log, each
        decoded only as far as its handler reads; returns the writes, not yet flushed."""
        writers, plan = self._writers(), self._plan()
        for _, originator_id, _, topic, state in rows:
            decode, handle = plan[topic]
            timestamp, data = decode(state)
            handle(writers, Logged(originator_id, timestamp, data))
        return writers

    def _plan(self) -> dict[str, tuple[FieldDecoder, Callable[[Writers, Logged], None]]]:
        return {topic: (_decoder(event_class, reads), getattr(self, attribute))
                for topic, (attribute, event_class, reads) in self._handlers.items()}

    def _writers(self) -> Writers:
        return {self._live_name(t): TableWriter(t) for t in self.tables}

    def _live_name(self, table: Table) -> str:
        return table.name[: len(table.name) - len(self.suffix)] if self.suffix else table.name


def flush(conn: Connection, writers: Writers) -> None:
    for writer in writers.values():
        writer.flush(conn)


@cache
def _decoder(event_class: type, reads: tuple[str, ...]) -> FieldDecoder:
    return FieldDecoder(event_class, reads)  # building one inspects the class: once per process
