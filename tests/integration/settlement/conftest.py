"""Production shape for settlement tests: a fresh PostgreSQL database and a RabbitMQ vhost of
their own, `arena relay` and `arena worker` as real processes that a test may kill."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from arena.bootstrap import Arena, bootstrap, create_event_store
from arena.db.engine import make_engine
from arena.db.migrations import upgrade
from arena.settings import ArenaSettings
from production import Production
from own_services import fresh_database, fresh_vhost, unique_name



@pytest.fixture
def production(tmp_path: Path) -> Iterator[Production]:
    name = unique_name("arena_settle")
    with fresh_database(name=name) as database_url, fresh_vhost(name=name) as broker_url:
        yield from _production(database_url, broker_url, tmp_path)


def _production(database_url: str, broker_url: str, tmp_path: Path) -> Iterator[Production]:
    env = {"ARENA_DATABASE_URL": database_url, "ARENA_BROKER_URL": broker_url,
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


@pytest.fixture
def arena(production: Production) -> Iterator[Arena]:
    """The test's own application: it writes to the store; the processes do the rest."""
    instance = bootstrap(production.settings, judge=False, timers=False)
    yield instance
    instance.close()


