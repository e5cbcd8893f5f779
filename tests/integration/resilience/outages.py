"""Helpers for issue 12's outage tests (imported by name: tests are not packages).

Outages are made per database and per vhost, never to the shared servers: PostgreSQL refusing
connections (ALLOW_CONNECTIONS false), its sessions terminated, RabbitMQ's connections closed,
or the vhost refusing them (the guest user's permissions cleared)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from own_services import rabbitmqctl



def eventually(condition: Callable[[], object], timeout: float = 60.0, every: float = 0.2) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s: {condition}")


@dataclass
class Process:
    popen: subprocess.Popen
    log_path: Path

    def running(self) -> bool:
        return self.popen.poll() is None

    def lines(self) -> list[dict]:
        """The process's structlog JSON lines so far (anything else it wrote is skipped)."""
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    pass
        return found

    def said(self, event: str, **fields: object) -> list[dict]:
        return [line for line in self.lines()
                if line.get("event") == event and all(line.get(k) == v for k, v in fields.items())]

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


@dataclass
class Outages:
    """One database and one vhost of the test's own, and the `arena` processes started on them."""

    database: str
    admin_url: str
    env: dict[str, str]
    logs: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, *args: str, **extra: str) -> Process:
        log_path = self.logs / f"{args[0]}-{len(self.processes)}.log"
        with log_path.open("wb") as log_file:
            popen = subprocess.Popen([sys.executable, "-m", "arena.cli", *args], env=os.environ | self.env | extra,
                                     stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(Process(popen, log_path))
        return self.processes[-1]

    def stop_all(self) -> None:
        for process in self.processes:
            if process.running():
                os.killpg(process.popen.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait()

    # PostgreSQL, this database only
    def _admin(self, statement: str, params: tuple = ()) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement, params)

    def refuse_connections(self, refuse: bool = True) -> None:
        self._admin(f'ALTER DATABASE "{self.database}" WITH ALLOW_CONNECTIONS {"false" if refuse else "true"}')

    def terminate_sessions(self, sparing_the_relay_lock: bool = False) -> None:
        """Ends the database's sessions; with `sparing_the_relay_lock`, all but the one that holds
        an advisory lock (the relay's: losing it sends the relay back to waiting for the lock)."""
        spared = ("AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')"
                  if sparing_the_relay_lock else "")
        self._admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = %s AND pid <> pg_backend_pid() {spared}", (self.database,))

    @contextmanager
    def database_refusing(self, sparing_the_relay_lock: bool = False) -> Iterator[None]:
        self.refuse_connections()
        try:
            self.terminate_sessions(sparing_the_relay_lock)
            yield
        finally:
            self.refuse_connections(False)

    # RabbitMQ, this vhost only
    def close_broker_connections(self) -> None:
        rabbitmqctl("close_all_connections", "--vhost", self.database, "issue 12 finding 2 test")

    @contextmanager
    def broker_refusing(self) -> Iterator[None]:
        rabbitmqctl("clear_permissions", "-p", self.database, "guest")
        try:
            self.close_broker_connections()
            yield
        finally:
            rabbitmqctl("set_permissions", "-p", self.database, "guest", ".*", ".*", ".*")
