from __future__ import annotations

from collections.abc import Iterator

import pytest

from arena.bootstrap import Arena, bootstrap
from arena.settings import ArenaSettings


@pytest.fixture(scope="session")
def pg_settings(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> ArenaSettings:
    return ArenaSettings(database_url=postgres_url, data_dir=tmp_path_factory.mktemp("arena-data"))


@pytest.fixture(scope="session")
def arena(pg_settings: ArenaSettings) -> Iterator[Arena]:
    """The application on the real PostgreSQL, migrated as `arena db upgrade` would."""
    instance = bootstrap(pg_settings, migrate=True, judge=False, timers=False)
    yield instance
    instance.close()
