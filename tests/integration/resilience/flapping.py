"""Helpers for finding 1 (imported by name: tests are not packages): a database of the test's
own, and a thread that terminates every backend connected to it, over and over."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import own_services

TERMINATE = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
             "WHERE datname = %s AND pid <> pg_backend_pid()")


@contextmanager
def fresh_database() -> Iterator[tuple[str, str]]:
    """(url, name) of a new database, dropped afterwards."""
    with own_services.fresh_database("arena_flap") as url:
        yield url, own_services.database_name(url)


class Flapping:
    """While inside `with`: every `every_s` seconds, every backend of `database` is terminated
    (from a connection to the admin database, which is not among them). Counts what it killed."""

    def __init__(self, database: str, every_s: float) -> None:
        self.database, self.every_s = database, every_s
        self.terminated = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="flapping", daemon=True)

    def _run(self) -> None:
        with psycopg.connect(own_services.ADMIN_URL, autocommit=True) as conn:
            while not self._stop.wait(self.every_s):
                self.terminated += conn.execute(TERMINATE, (self.database,)).fetchone()[0]

    def __enter__(self) -> Flapping:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def refusing(database: str) -> Iterator[None]:
    """The database refuses new connections and its open ones are ended, until the `with` ends."""
    with psycopg.connect(own_services.ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
        conn.execute(TERMINATE, (database,))
    try:
        yield
    finally:
        with psycopg.connect(own_services.ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')
