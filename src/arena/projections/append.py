"""Writers for append-only tables, whose rows are never changed once written: the ledger.

A TableWriter keeps each row as a dict keyed by its primary key, so that later changes in the
same batch apply in memory; an append-only table needs none of that. `AppendWriter` takes rows
as tuples in the table's column order and sends them as they are (binary COPY on PostgreSQL, an
executemany elsewhere): a 50,000-player settlement builds no dicts and no keys.

`SumsFromLedger` moves the season leaderboard by the ledger rows of a revision, in the database
(`INSERT ... SELECT ... ON CONFLICT DO UPDATE`), after they are written in the same transaction:
the leaderboard is the ledger's sum, and nothing travels twice between Python and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Table

from arena.projections.writer import COPY_FROM, copy_rows


class AppendWriter:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = [column.name for column in table.columns]
        self._rows: list[tuple[Any, ...]] = []

    def append(self, row: tuple[Any, ...]) -> None:
        self._rows.append(row)

    def flush(self, conn: Connection) -> None:
        if len(self._rows) >= COPY_FROM and conn.dialect.name == "postgresql":
            copy_rows(conn, self.table.name, self.columns, self._rows)
        elif self._rows:
            conn.execute(sa.insert(self.table), [dict(zip(self.columns, row)) for row in self._rows])
        self._rows = []


class SumsFromLedger:
    """Adds each folded revision's ledger rows to the season leaderboard: its points, and one
    battle for a revision 1 (later revisions are differences of the same battle)."""

    def __init__(self, leaderboard: Table, ledger: Table) -> None:
        board = leaderboard.name
        self.statement = sa.text(
            f'INSERT INTO "{board}" (season, user_id, points, battles) '
            f"SELECT season, user_id, points, CASE WHEN revision = 1 THEN 1 ELSE 0 END "
            f'FROM "{ledger.name}" WHERE battle_id = :battle_id AND revision = :revision '
            f"ON CONFLICT (season, user_id) DO UPDATE SET points = \"{board}\".points + excluded.points, "
            f'battles = "{board}".battles + excluded.battles')
        self._revisions: list[dict[str, Any]] = []

    def add_revision(self, battle_id: str, revision: int) -> None:
        self._revisions.append({"battle_id": battle_id, "revision": revision})

    def flush(self, conn: Connection) -> None:
        # one statement per revision: a statement may not change a leaderboard row twice, and
        # a rebuild's page may hold several battles of one player
        for revision in self._revisions:
            conn.execute(self.statement, revision)
        self._revisions = []
