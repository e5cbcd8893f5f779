"""The alembic scripts and arena.db.tables describe the same schema, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from arena.db.engine import make_engine
from arena.db.migrations import alembic_config, current, upgrade
from arena.db.tables import metadata
from arena.settings import ArenaSettings


def schema_differences(engine: Engine) -> list:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    return [d for d in diff if _table_of(d) in metadata.tables]


def _table_of(difference: tuple | list) -> str:
    """eventsourcing's own tables (and their indexes) are not ours to describe."""
    if isinstance(difference, list):  # column changes: [("modify_type", schema, table, column, ...)]
        return difference[0][2]
    thing = difference[1]
    table = getattr(thing, "table", thing)
    return getattr(table, "name", str(table))


def test_the_migrated_postgres_schema_matches_the_table_definitions(pg_settings: ArenaSettings) -> None:
    engine = make_engine(pg_settings)
    upgrade(engine)
    assert current(engine) is not None
    assert schema_differences(engine) == []


def test_the_migrated_sqlite_schema_matches_the_table_definitions(tmp_path: Path) -> None:
    engine = make_engine(ArenaSettings(data_dir=tmp_path))
    upgrade(engine)
    assert schema_differences(engine) == []


@pytest.mark.parametrize("times", [2])
def test_upgrading_twice_is_harmless(tmp_path: Path, times: int) -> None:
    engine = make_engine(ArenaSettings(data_dir=tmp_path))
    for _ in range(times):
        upgrade(engine)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert current(engine) == head
