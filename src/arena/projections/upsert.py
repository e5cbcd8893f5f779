"""Buffered upserts for tables whose rows several aggregates change: a rating moves with every
battle its player settles.

A TableWriter must know whether a row exists (insert or update); here the database decides, in
ONE upsert per flush, whatever the number of rows. On PostgreSQL: `INSERT ... SELECT FROM
unnest(arrays) ON CONFLICT DO UPDATE`, and from COPY_FROM rows on, the rows binary-COPied into a
temporary table and upserted from it (PostgreSQL reads COPY faster than it parses array literals:
50,000 ratings took 0.66-0.74 s instead of 1.0 s, docs/benchmarks.md). On SQLite, an executemany
of the same upsert. Rows are tuples, as COPY sends them: 50,000 ratings build no dicts.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Table
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from arena.db.pg_arrays import number_array, text_array
from arena.projections.writer import COPY_FROM, copy_rows

Key = tuple[Any, ...]
_PG_TYPES = {sa.String: "text", sa.Integer: "bigint", sa.Float: "float8", sa.Text: "text"}


class UpsertWriter:
    """Whole rows, as tuples in the table's column order (its primary key first): each inserted,
    or replacing the stored row of its key. A later row of the same key in one flush wins."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = [column.name for column in table.columns]
        self.keys = [column.name for column in table.primary_key.columns]
        assert self.columns[:len(self.keys)] == self.keys, "the primary key leads the columns"
        self._rows: dict[Key, tuple[Any, ...]] = {}

    def put(self, row: tuple[Any, ...]) -> None:
        self._rows[row[:len(self.keys)]] = row

    def flush(self, conn: Connection) -> None:
        if not self._rows:
            return
        columns, rows = self.columns, list(self._rows.values())
        if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
            self._copy_upsert(conn, columns, rows)
        elif conn.dialect.name == "postgresql":
            self._unnest(conn, columns, rows)
        else:
            statement = sqlite_insert(self.table)
            updates = {c: statement.excluded[c] for c in columns[len(self.keys):]}
            conn.execute(statement.on_conflict_do_update(index_elements=self.keys, set_=updates),
                         [dict(zip(columns, row)) for row in rows])
        self._rows = {}

    def _unnest(self, conn: Connection, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        types = [_PG_TYPES[type(self.table.c[c].type)] for c in columns]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        literals = [text_array(column) if kind == "text" else number_array(column)
                    for kind, column in zip(types, zip(*rows))]
        with conn.connection.driver_connection.cursor() as cursor:
            cursor.execute(self._upsert_from(columns, f"unnest({arrays})"), literals)

    def _copy_upsert(self, conn: Connection, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        staging = f"{self.table.name}__upsert"  # dropped at once: a second flush may follow in this transaction
        quoted = ", ".join(f'"{c}"' for c in columns)
        with conn.connection.driver_connection.cursor() as cursor:
            cursor.execute(f'CREATE TEMP TABLE "{staging}" AS SELECT {quoted} FROM "{self.table.name}" WITH NO DATA')
            copy_rows(conn, staging, columns, rows)
            cursor.execute(self._upsert_from(columns, f'"{staging}"'))
            cursor.execute(f'DROP TABLE "{staging}"')

    def _upsert_from(self, columns: list[str], source: str) -> str:
        name = self.table.name
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns[len(self.keys):])
        quoted = ", ".join(f'"{c}"' for c in columns)
        return (f'INSERT INTO "{name}" ({quoted}) SELECT * FROM {source} '
                f'ON CONFLICT ({", ".join(self.keys)}) DO UPDATE SET {updates}')
