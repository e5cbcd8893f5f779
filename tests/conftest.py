"""Fixtures shared by every layer: a throwaway PostgreSQL database per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from own_services import fresh_database

@pytest.fixture(scope="session", autouse=True)
def quiet_logs() -> None:
    """Warnings and errors only: the API's access lines would drown pytest's output."""
    from arena.logging import configure_logging
    from arena.settings import ArenaSettings

    configure_logging(ArenaSettings(log_level="WARNING", log_json=False))




@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The integration tests' database for the session."""
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="session")
def e2e_postgres_url() -> Iterator[str]:
    """The e2e server's own database: its background timers must not touch other tests' battles."""
    with fresh_database() as url:
        yield url
