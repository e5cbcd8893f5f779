"""Idempotency keys are forgotten after ARENA_IDEMPOTENCY_KEEP_S (review finding: the two tables
that remember keys were never swept and grew with every keyed request)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from arena.bootstrap import Arena, bootstrap
from arena.db.key_retention import forget_keys
from arena.db.tables import command_keys, idempotency_keys
from arena.handlers.sweep import sweep
from arena.settings import ArenaSettings
from own_services import fresh_database

NOW = datetime.now(timezone.utc)  # the sweep also does its battle work: at the real time, as the scheduler would


def keep_keys(arena: Arena, principal: str, ages: list[timedelta]) -> None:
    with arena.engine.begin() as conn:
        for number, age in enumerate(ages):
            conn.execute(insert(idempotency_keys).values(
                principal=principal, key=f"k{number}", request_hash="h", status_code=202,
                content_type="application/json", body=b"{}", created_at=NOW - age))
            conn.execute(insert(command_keys).values(
                principal=principal, key=f"k{number}", request_hash="h", answer='"x"', recorded_at=NOW - age))


def keys_of(arena: Arena, principal: str) -> tuple[list[str], list[str]]:
    with arena.engine.connect() as conn:
        return tuple(sorted(conn.execute(select(table.c.key).where(table.c.principal == principal)).scalars())
                     for table in (idempotency_keys, command_keys))


def test_keys_older_than_the_keep_are_forgotten_and_younger_ones_kept(arena: Arena) -> None:
    principal = f"user-{uuid.uuid4().hex[:8]}"
    keep_keys(arena, principal, [timedelta(days=2), timedelta(hours=25), timedelta(hours=23), timedelta(0)])

    forgotten = forget_keys(arena.engine, NOW - timedelta(days=1), batch=1)  # several batches

    assert forgotten >= 4  # other tests' old keys may go too
    assert keys_of(arena, principal) == (["k2", "k3"], ["k2", "k3"])


@pytest.fixture
def own_arena(tmp_path: Path) -> Iterator[Arena]:
    """A database of its own: the sweep also reads the room of every running battle, and the
    session's database holds hundreds of them by now (30 s of this test's time)."""
    with fresh_database() as url:
        arena = bootstrap(ArenaSettings(database_url=url, data_dir=tmp_path), migrate=True, judge=False, timers=False)
        try:
            yield arena
        finally:
            arena.close()


def test_the_sweep_forgets_old_keys(own_arena: Arena) -> None:
    principal = f"user-{uuid.uuid4().hex[:8]}"
    keep_keys(own_arena, principal, [timedelta(days=3), timedelta(minutes=1)])

    done = sweep(own_arena.app, own_arena.engine, timedelta(minutes=5), NOW, keys_kept=timedelta(days=1))

    assert done["keys_forgotten"] == 2 and done["failed"] == 0
    assert keys_of(own_arena, principal) == (["k1"], ["k1"])
    with own_arena.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(idempotency_keys)
                            .where(idempotency_keys.c.created_at < NOW - timedelta(days=1))).scalar() == 0
