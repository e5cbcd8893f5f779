"""Issue 12, finding 4: a process holds few PostgreSQL connections when idle (each used to open
ten event-store connections up front, and five idle processes held 45-48 of the machine's 100);
pools are sized by ARENA_DB_POOL_SIZE and ARENA_DB_MAX_OVERFLOW and grow only while busy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from arena.bootstrap import bootstrap
from arena.domain.settings import BattleSettings
from arena.settings import ArenaSettings
from own_services import fresh_database




def connections_to(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        name = url.rsplit("/", 1)[1]
        count = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                             (name,)).fetchone()[0]
    return count


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of the test's own: the session's shared one has other tests' leftover sessions
    coming and going, which the count below would take for this process's."""
    with fresh_database("arena_pools") as url:
        yield url


def test_finding_4_an_idle_process_holds_at_most_its_pool_size_per_pool(own_database: str, tmp_path: Path) -> None:
    postgres_url = own_database
    before = connections_to(postgres_url)
    settings = ArenaSettings(database_url=postgres_url, broker_url="amqp://unused", data_dir=tmp_path,
                             jwt_secret="x" * 40, db_pool_size=2, db_max_overflow=6)
    arena = bootstrap(settings, migrate=True, judge=False, timers=False)
    try:
        for number in range(20):  # some work, then idle again
            arena.app.create_battle("admin", BattleSettings(title=f"pool {number}"))
        held = connections_to(postgres_url) - before
        assert held <= 2 * settings.db_pool_size, f"an idle process holds {held} connections"
    finally:
        arena.close()
