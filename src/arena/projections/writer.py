"""Buffered writes to one table, so a projection folds events once and writes once.

Delivery from RabbitMQ flushes after every event; the local bus flushes once per page of the
log, and a rebuild folds thousands of events and flushes them as a few executemany statements.
All run the same projection code, so they cannot disagree.

Changes to a row inserted in the same batch are applied in memory; changes to rows already in
the table are merged per key and sent as one UPDATE each. This is exact because `deliver` and the
log give each aggregate's events in version order, and every row belongs to one aggregate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, delete, insert, update

Key = tuple[Any, ...]
COPY_FROM = 500  # rows in one flush from which COPY beats a pipelined executemany


class TableWriter:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.key_columns = [column.name for column in table.primary_key.columns]
        self._key_of = _getter(self.key_columns)  # row -> key tuple, once per inserted row
        self._reset()

    def _reset(self) -> None:
        self._inserts: dict[Key, dict[str, Any]] = {}
        self._sets: dict[Key, dict[str, Any]] = defaultdict(dict)
        self._adds: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._deletes: set[Key] = set()

    def insert(self, row: dict[str, Any]) -> None:
        self._inserts[self._key_of(row)] = row

    def set(self, key: Key, **values: Any) -> None:
        if not values:  # nothing to change: an UPDATE with no columns is not SQL
            return
        if key in self._inserts:
            self._inserts[key].update(values)
        else:
            self._sets[key].update(values)

    def add(self, key: Key, **deltas: int) -> None:
        row = self._inserts.get(key)
        for column, delta in deltas.items():
            if row is not None:
                row[column] += delta
            else:
                self._adds[key][column] += delta

    def delete(self, key: Key) -> None:
        self._inserts.pop(key, None)
        self._sets.pop(key, None)
        self._adds.pop(key, None)
        self._deletes.add(key)

    def flush(self, conn: Connection) -> None:
        if self._deletes:
            conn.execute(delete(self.table).where(self._where()),
                         [self._key_params(key) for key in self._deletes])
        if len(self._inserts) >= COPY_FROM and conn.dialect.name == "postgresql":
            self._copy(conn, list(self._inserts.values()))
        elif self._inserts:
            conn.execute(insert(self.table), list(self._inserts.values()))
        self._flush_updates(conn)
        self._reset()

    def _copy(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        columns = [column.name for column in self.table.columns]
        values_of = _getter(columns)

        def values(row: dict[str, Any]) -> tuple[Any, ...]:
            try:
                return values_of(row)
            except KeyError:  # a column the row leaves out is NULL, as before
                return tuple(row.get(name) for name in columns)

        copy_rows(conn, self.table.name, columns, map(values, rows))

    def _flush_updates(self, conn: Connection) -> None:
        # group rows by the shape of their change, so each shape is one executemany
        shapes: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
        for key in set(self._sets) | set(self._adds):
            sets, adds = self._sets.get(key, {}), self._adds.get(key, {})
            params = self._key_params(key)
            params.update({f"s_{c}": v for c, v in sets.items()})
            params.update({f"a_{c}": v for c, v in adds.items()})
            shapes[(tuple(sorted(sets)), tuple(sorted(adds)))].append(params)
        for (sets, adds), rows in shapes.items():
            values: dict[str, Any] = {c: bindparam(f"s_{c}") for c in sets}
            values.update({c: self.table.c[c] + bindparam(f"a_{c}") for c in adds})
            conn.execute(update(self.table).where(self._where()).values(values), rows)

    def _where(self):
        return and_(*(self.table.c[name] == bindparam(f"k_{name}") for name in self.key_columns))

    def _key_params(self, key: Key) -> dict[str, Any]:
        return {f"k_{name}": value for name, value in zip(self.key_columns, key, strict=True)}


def copy_rows(conn: Connection, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY, in the same transaction: a rebuild's pages insert thousands of rows, and psycopg
    would otherwise send each as its own statement. Binary COPY, typed by the table's own column
    types: a third of the CPU of the text format, on both sides."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with conn.connection.driver_connection.cursor() as cursor:
        types = _column_types(cursor, table, columns)
        with cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)


def _getter(names: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """row -> tuple of its values under `names`, in C (itemgetter returns a bare value for one)."""
    if len(names) == 1:
        (name,) = names
        return lambda row: (row[name],)
    return itemgetter(*names)


def _column_types(cursor: Any, table: str, columns: list[str]) -> list[int]:
    """The type oids of the columns, as the database has them (what binary COPY must send)."""
    cursor.execute("SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass "
                   "AND attnum > 0 AND NOT attisdropped", (f'"{table}"',))
    types = dict(cursor.fetchall())
    return [types[name] for name in columns]
