"""Waiting for PostgreSQL before building a process on it.

bootstrap() builds the event store, whose pool opens its connections up front: with the
database down it waits its pool timeout (30 s) and raises, leaving behind a pool that keeps
trying in the background. Retrying bootstrap would pile those up; a one-connection probe that
succeeds first makes a failed bootstrap unlikely, and costs one connection for a moment.
"""

from __future__ import annotations

import asyncio

import psycopg
from sqlalchemy import make_url

from arena.config_errors import missing_database
from arena.db.engine import read_model_url
from arena.retrying import DATABASE_DOWN, Backoff
from arena.settings import ArenaSettings

PROBE_TIMEOUT_S = 5


def conninfo(settings: ArenaSettings) -> str:
    return make_url(read_model_url(settings)).set(drivername="postgresql").render_as_string(hide_password=False)


async def wait_for_database(settings: ArenaSettings, process: str, stop: asyncio.Event) -> bool:
    """Returns once PostgreSQL accepts a connection (True), or when `stop` is set (False);
    raises MissingDatabase if the server says the database does not exist. Without PostgreSQL (SQLite) there is nothing to wait for."""
    if not settings.uses_postgres:
        return True
    backoff = Backoff(process, "database")
    while not stop.is_set():
        try:
            connection = await psycopg.AsyncConnection.connect(conninfo(settings), connect_timeout=PROBE_TIMEOUT_S)
            await connection.close()
        except DATABASE_DOWN as exc:
            if missing := missing_database(exc, settings.database_url):
                raise missing from None  # no retry creates it: the operator must
            await backoff.wait(exc, stop)
            continue
        backoff.succeeded()
        return True
    return False
