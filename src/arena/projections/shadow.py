"""The only DDL in application code: shadow copies of a projection's migrated tables, and the
swap that puts them in place (docs/adr/0006-projection-rebuilds.md).

A shadow is a structural copy of the live table as the migrations made it, never a second
definition: PostgreSQL copies it with LIKE ... INCLUDING ALL; SQLite replays the table's own
CREATE statement from sqlite_master under the shadow's name. Indexes get their migrated names
back at the swap, so the schema stays exactly what the migrations describe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Connection, Table, text

_INDEX_HEAD = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON \S+ ")


def create(conn: Connection, tables: Sequence[Table], suffix: str) -> None:
    """Empty shadows `<table><suffix>`, replacing any left over by an interrupted rebuild."""
    drop(conn, tables, suffix)
    for table in tables:
        live, shadow = table.name, table.name + suffix
        if conn.dialect.name == "postgresql":
            conn.execute(text(f'CREATE TABLE "{shadow}" (LIKE "{live}" INCLUDING ALL)'))
        else:
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"),
                               {"n": live}).scalar_one()
            conn.execute(text(re.sub(r'^CREATE TABLE\s+("?)' + re.escape(live) + r'\1',
                                     f'CREATE TABLE "{shadow}"', sql, count=1)))


def drop(conn: Connection, tables: Sequence[Table], suffix: str) -> None:
    for table in tables:
        conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}{suffix}"'))


def lock(conn: Connection, tables: Sequence[Table]) -> None:
    """Stops deliveries and readers until the swap commits (SQLite: BEGIN IMMEDIATE already did).

    The tracking table first: every delivery takes it before the view tables, so taking it
    first cannot deadlock with one, and a delivery blocked on it resumes on the swapped rows.
    """
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("LOCK TABLE projection_tracking IN EXCLUSIVE MODE"))
    names = ", ".join(f'"{table.name}"' for table in tables)
    conn.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))


def swap(conn: Connection, tables: Sequence[Table], suffix: str) -> None:
    """Drops each live table and renames its shadow into its place, inside the caller's transaction."""
    for table in tables:
        live, shadow = table.name, table.name + suffix
        if conn.dialect.name == "postgresql":
            renames = _index_renames(conn, live, shadow)
            conn.execute(text(f'DROP TABLE "{live}"'))
            conn.execute(text(f'ALTER TABLE "{shadow}" RENAME TO "{live}"'))
            for old, new in renames:
                conn.execute(text(f'ALTER INDEX "{old}" RENAME TO "{new}"'))
        else:
            indexes = conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'index' "
                                        "AND tbl_name = :n AND sql IS NOT NULL"), {"n": live}).scalars().all()
            conn.execute(text(f'DROP TABLE "{live}"'))
            conn.execute(text(f'ALTER TABLE "{shadow}" RENAME TO "{live}"'))
            for sql in indexes:  # their names are free again now that the live table is gone
                conn.execute(text(sql))


def _index_renames(conn: Connection, live: str, shadow: str) -> list[tuple[str, str]]:
    """(shadow index, live index) pairs with the same definition: LIKE names indexes its own way."""
    query = text("SELECT indexname, indexdef FROM pg_indexes "
                 "WHERE schemaname = current_schema() AND tablename = :t")

    def definitions(name: str) -> dict[str, str]:
        return {_INDEX_HEAD.sub(r"\1", d): n for n, d in conn.execute(query, {"t": name}).all()}

    live_defs, shadow_defs = definitions(live), definitions(shadow)
    return [(shadow_defs[d], live_defs[d]) for d in shadow_defs if d in live_defs and shadow_defs[d] != live_defs[d]]
