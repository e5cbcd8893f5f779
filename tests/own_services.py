"""A database and a RabbitMQ vhost of a test's own, on the local services, removed afterwards:
for tests that start real processes, cut connections or count sessions, which must touch
nothing but their own."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
BROKER = "amqp://guest:guest@127.0.0.1:5672"


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, text=True, timeout=60).stdout


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


@contextmanager
def fresh_database(prefix: str = "arena_test", name: str | None = None) -> Iterator[str]:
    """The URL of a new database on the local PostgreSQL, dropped (its sessions ended) afterwards."""
    name = name or unique_name(prefix)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_vhost(prefix: str = "arena_test", name: str | None = None) -> Iterator[str]:
    """The broker URL of a new vhost on the local RabbitMQ, where guest may do anything; deleted
    afterwards."""
    name = name or unique_name(prefix)
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield f"{BROKER}/{name}"
    finally:
        rabbitmqctl("delete_vhost", name)
