"""The alembic scripts and arena.db.tables describe the same schema, on both databases."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from arena.bootstrap import bootstrap
from arena.cli import main
from arena.db.engine import make_engine
from arena.db.migrations import alembic_config, current, upgrade
from arena.db import settlement_tables  # noqa: F401  (its tables join the metadata below)
from arena.db.tables import metadata
from arena.domain.settings import BattleSettings
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



def test_db_upgrade_creates_the_event_store_so_processes_can_start_together(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, postgres_url: str) -> None:
    admin = postgres_url.rsplit("/", 1)[0] + "/postgres"
    name = f"arena_upgrade_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    try:
        monkeypatch.setenv("ARENA_DATABASE_URL", url)
        monkeypatch.setenv("ARENA_DATA_DIR", str(tmp_path))
        assert main(["db", "upgrade"]) == 0
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT to_regclass('arena_events')").fetchone()[0] == "arena_events"

        settings = ArenaSettings(database_url=url, data_dir=tmp_path, broker_url="amqp://unused")
        with ThreadPoolExecutor(max_workers=4) as pool:  # the Procfile's processes, at once
            arenas = list(pool.map(lambda _: bootstrap(settings, judge=False, timers=False), range(4)))
        battle_id = arenas[0].app.create_battle("admin", BattleSettings(title="after upgrade"))
        assert arenas[3].app.get_battle(battle_id).settings.title == "after upgrade"
        for arena in arenas:
            arena.close()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
