"""A database and a RabbitMQ vhost of a test's own, on the local services, removed afterwards:
for tests that start real processes, cut connections or count sessions, which must touch
nothing but their own."""

from __future__ import annotations

import atexit
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


_LEFT_VHOSTS: list[str] = []  # deleted at the end of the run, all in one rabbitmqctl call


@contextmanager
def fresh_vhost(prefix: str = "arena_test", name: str | None = None) -> Iterator[str]:
    """The broker URL of a new vhost on the local RabbitMQ, where guest may do anything; deleted
    when the test run ends. Each rabbitmqctl call starts an Erlang VM (1-2 s, more under load),
    so the vhost and its permission are made in one call and every vhost is deleted in one."""
    name = name or unique_name(prefix)
    _erlang(f"rabbit_vhost:add({_binary(name)}, <<\"tests\">>), "
            f"rabbit_auth_backend_internal:set_permissions(<<\"guest\">>, {_binary(name)}, "
            "<<\".*\">>, <<\".*\">>, <<\".*\">>, <<\"tests\">>).")
    if not _LEFT_VHOSTS:
        atexit.register(_delete_left_vhosts)
    _LEFT_VHOSTS.append(name)
    yield f"{BROKER}/{name}"


def _delete_left_vhosts() -> None:
    names = ", ".join(_binary(name) for name in _LEFT_VHOSTS)
    _erlang(f"[rabbit_vhost:delete(V, <<\"tests\">>) || V <- [{names}]].")


def _erlang(expression: str) -> None:
    output = rabbitmqctl("eval", expression)
    assert "error" not in output, output  # eval exits 0 on an error it returns


def _binary(name: str) -> str:
    assert name.replace("_", "").replace("-", "").isalnum(), name  # it goes into Erlang source
    return f'<<"{name}">>'
