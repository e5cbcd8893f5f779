"""Production shape for settlement tests: a fresh PostgreSQL database and a RabbitMQ vhost of
their own, `arena relay` and `arena worker` as real processes that a test may kill."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from arena.bootstrap import Arena, bootstrap, create_event_store
from arena.db.engine import make_engine
from arena.db.migrations import upgrade
from arena.settings import ArenaSettings
from production import Production, rabbitmqctl

ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def production(tmp_path: Path) -> Iterator[Production]:
    name = f"arena_settle_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    env = {"ARENA_DATABASE_URL": database_url, "ARENA_BROKER_URL": f"amqp://guest:guest@127.0.0.1:5672/{name}",
           "ARENA_DATA_DIR": str(tmp_path), "ARENA_JWT_SECRET": secrets.token_urlsafe(32),
           "ARENA_SETTLE_WAIT_S": "600", "ARENA_LOG_LEVEL": "WARNING",
           "ARENA_DB_POOL_SIZE": "2", "ARENA_DB_MAX_OVERFLOW": "4"}
    settings = ArenaSettings(database_url=database_url, broker_url=env["ARENA_BROKER_URL"], data_dir=tmp_path,
                             jwt_secret=env["ARENA_JWT_SECRET"])
    engine = make_engine(settings)
    upgrade(engine)  # as `arena db upgrade` does
    engine.dispose()
    create_event_store(settings)
    running = Production(env, settings)
    try:
        yield running
    finally:
        running.stop_all()
        rabbitmqctl("delete_vhost", name)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def arena(production: Production) -> Iterator[Arena]:
    """The test's own application: it writes to the store; the processes do the rest."""
    instance = bootstrap(production.settings, judge=False, timers=False)
    yield instance
    instance.close()


