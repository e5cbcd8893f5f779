"""Fixtures shared by every layer: a throwaway PostgreSQL database per test session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

@pytest.fixture(scope="session", autouse=True)
def quiet_logs() -> None:
    """Warnings and errors only: the API's access lines would drown pytest's output."""
    from arena.logging import configure_logging
    from arena.settings import ArenaSettings

    configure_logging(ArenaSettings(log_level="WARNING", log_json=False))


ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new database on the local PostgreSQL, dropped afterwards."""
    name = f"arena_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
