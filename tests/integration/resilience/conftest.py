"""Issue 12's outage tests: a fresh PostgreSQL database and RabbitMQ vhost per test (named
alike), so that refusing or cutting connections touches nothing but the test's own processes."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from arena.bootstrap import Arena, bootstrap, create_event_store
from arena.db.engine import make_engine
from arena.db.migrations import upgrade
from arena.settings import ArenaSettings
from outages import Outages
from own_services import ADMIN_URL, fresh_database, fresh_vhost, unique_name



@pytest.fixture
def outages(tmp_path: Path) -> Iterator[Outages]:
    name = unique_name("arena_outage")
    with fresh_database(name=name) as database_url, fresh_vhost(name=name) as broker_url:
        yield from _outages(name, database_url, broker_url, tmp_path)


def _outages(name: str, database_url: str, broker_url: str, tmp_path: Path) -> Iterator[Outages]:
    env = {"ARENA_DATABASE_URL": database_url, "ARENA_BROKER_URL": broker_url,
           "ARENA_DATA_DIR": str(tmp_path), "ARENA_JWT_SECRET": secrets.token_urlsafe(32),
           "ARENA_JUDGE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(), "ARENA_JUDGE_SLOTS": "1",
           "ARENA_LOG_JSON": "true", "ARENA_LOG_LEVEL": "INFO",
           "ARENA_DB_POOL_SIZE": "1", "ARENA_DB_MAX_OVERFLOW": "4"}
    settings = ArenaSettings(database_url=database_url, data_dir=tmp_path, jwt_secret=env["ARENA_JWT_SECRET"])
    engine = make_engine(settings)
    upgrade(engine)  # as `arena db upgrade` does
    engine.dispose()
    create_event_store(settings)
    logs = tmp_path / "logs"
    logs.mkdir()
    made = Outages(name, ADMIN_URL, env, logs)
    try:
        yield made
    finally:
        made.stop_all()
        made.refuse_connections(False)


@pytest.fixture
def arena(outages: Outages, tmp_path: Path) -> Iterator[Arena]:
    """The test's own application: it appends to the store; the processes do the rest."""
    # With a broker URL it projects nothing itself: `arena worker` must (bootstrap).
    settings = ArenaSettings(database_url=outages.env["ARENA_DATABASE_URL"], broker_url=outages.env["ARENA_BROKER_URL"],
                             data_dir=tmp_path, jwt_secret=outages.env["ARENA_JWT_SECRET"], db_pool_size=1)
    instance = bootstrap(settings, judge=False, timers=False)
    yield instance
    instance.close()
