"""The upsert writer on PostgreSQL: a small flush (array literals) and a big one (COPY into a
temporary table) insert and replace the same way, twice in one transaction too."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from arena.bootstrap import Arena
from arena.projections.upsert import UpsertWriter
from arena.projections.writer import COPY_FROM


@pytest.fixture
def table(arena: Arena):
    probe = sa.Table(f"upsert_probe_{uuid.uuid4().hex[:8]}", sa.MetaData(),
                     sa.Column("key", sa.String(40), primary_key=True), sa.Column("total", sa.Integer, nullable=False),
                     sa.Column("mu", sa.Float), sa.Column("note", sa.Text))
    probe.create(arena.engine)
    yield probe
    probe.drop(arena.engine)


def rows_of(arena: Arena, table: sa.Table) -> dict[str, tuple]:
    with arena.engine.connect() as conn:
        return {row[0]: tuple(row[1:]) for row in conn.execute(sa.select(table))}


@pytest.mark.parametrize("count", [3, COPY_FROM * 2], ids=["array literals", "copy"])
def test_puts_insert_new_rows_and_replace_stored_ones_in_both_paths(arena: Arena, table: sa.Table, count: int) -> None:
    keys = [f"u{n}" for n in range(count)]
    with arena.engine.begin() as conn:
        writer = UpsertWriter(table)
        for n, key in enumerate(keys):
            writer.put((key, 0, None, None))
            writer.put((key, n, n / 3, 'a "quoted", \\ note'))  # the later row of a key wins
        writer.flush(conn)
        for key in keys[: count // 2 + 1]:  # a second flush in the same transaction, half of them again
            writer.put((key, 10, -1.5, None))
        writer.flush(conn)

    stored = rows_of(arena, table)

    assert len(stored) == count
    again = set(keys[: count // 2 + 1])
    for n, key in enumerate(keys):
        expected = (10, -1.5, None) if key in again else (n, n / 3, 'a "quoted", \\ note')
        assert stored[key] == expected, key
