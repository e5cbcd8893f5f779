"""Fixtures shared by every layer: a throwaway PostgreSQL database per test session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

@pytest.fixture(scope="session", autouse=True)
def quiet_logs() -> None:
    """Warnings and errors only: the API's access lines would drown pytest's output."""
    from arena.logging import configure_logging
    from arena.settings import ArenaSettings

    configure_logging(ArenaSettings(log_level="WARNING", log_json=False))


ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on the local PostgreSQL, dropped at the end of the session."""
    name = f"arena_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
