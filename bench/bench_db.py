"""A throwaway PostgreSQL database for a benchmark, migrated as `arena db upgrade` leaves it."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def migrated_database(**settings: object) -> Iterator[str]:
    """Creates a database, runs the migrations and creates the event store in it, yields its URL,
    and drops it at the end, whatever happened. `settings` go to ArenaSettings for the set-up."""
    from arena.bootstrap import create_event_store
    from arena.db.engine import make_engine
    from arena.db.migrations import upgrade
    from arena.settings import ArenaSettings

    name = f"arena_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        arena_settings = ArenaSettings(database_url=url, data_dir=tempfile.mkdtemp(prefix="arena-bench-"),
                                       **settings)
        engine = make_engine(arena_settings)
        upgrade(engine)  # as `arena db upgrade` before the processes start
        engine.dispose()
        create_event_store(arena_settings)
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
