"""Runs a projection that names its tables directly against shadow copies of them.

BattleCatalog and SubmissionHistory write to the module-level tables; to rebuild them into
shadow tables without changing their code, every statement they execute is rewritten so that
each table (and its columns) becomes its shadow twin. Slower than a FoldingProjection, which
takes its tables as an argument, but exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column, Connection, Table
from sqlalchemy.sql.visitors import replacement_traverse

from arena.bus.envelope import EventEnvelope
from arena.projections.base import Projection
from arena.projections.folding import suffixed


class _RetargetedConnection:
    def __init__(self, conn: Connection, mapping: dict[Table, Table]) -> None:
        self._conn, self._mapping = conn, mapping

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        return self._conn.execute(replacement_traverse(statement, {}, self._replace), *args, **kwargs)

    def _replace(self, element: Any) -> Any:
        if isinstance(element, Table):
            return self._mapping.get(element)
        if isinstance(element, Column) and element.table in self._mapping:
            return self._mapping[element.table].c[element.key]
        return None


class Retargeted:
    """`projection` under another tracking name, writing to `<table><suffix>`."""

    def __init__(self, projection: Projection, tables: Sequence[Table], name: str, suffix: str,
                 topics: tuple[str, ...] = ()) -> None:
        self.projection, self.name, self.suffix = projection, name, suffix
        self.version = projection.version
        self.tables = suffixed(tables, suffix)
        self._mapping = dict(zip(tables, self.tables, strict=True)) if suffix else {}
        self.topics = topics  # () means unknown: a rebuild then reads the whole log

    def apply(self, conn: Connection, event: EventEnvelope) -> None:
        target = _RetargetedConnection(conn, self._mapping) if self._mapping else conn
        self.projection.apply(target, event)  # type: ignore[arg-type]

    def apply_batch(self, conn: Connection, events: Iterable[EventEnvelope]) -> None:
        for event in events:
            self.apply(conn, event)
