"""Commands/s on PostgreSQL vs raw single-row INSERT transactions, same concurrency, same run.

ours: 32 client threads, each changing its own battle through ArenaApplication (load the
      aggregate, apply the command, append ONE event) — the write path of every API command,
      without HTTP; measured with one transaction per command, and with group commit (saves
      that arrive while an append is written share the next transaction).
raw:  32 client threads, each running single-row INSERT transactions with psycopg into a plain
      table in the same database.
Usage: python bench/commands_throughput.py [--clients 32] [--commands 4000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid

import psycopg

from arena.bootstrap import bootstrap
from arena.domain.settings import BattleSettings
from arena.settings import ArenaSettings

ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def in_parallel(clients: int, per_client: int, work) -> float:
    """Runs work(client, i) per_client times in each of `clients` threads; returns ops/s."""
    barrier = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        barrier.wait()
        for i in range(per_client):
            work(number, i)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return clients * per_client / (time.perf_counter() - started)


def raw_inserts(url: str, clients: int, per_client: int) -> float:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_rows (id bigserial PRIMARY KEY, client int, payload text)")
    connections = [psycopg.connect(url, autocommit=True) for _ in range(clients)]
    try:
        return in_parallel(clients, per_client, lambda n, i: connections[n].execute(
            "INSERT INTO bench_rows (client, payload) VALUES (%s, %s)", (n, f"title {i}")))
    finally:
        for conn in connections:
            conn.close()


def arena_commands(url: str, clients: int, per_client: int, group_commit: bool) -> float:
    settings = ArenaSettings(database_url=url, data_dir=tempfile.mkdtemp(), broker_url="amqp://unused",
                             group_commit=group_commit)
    arena = bootstrap(settings, migrate=True, judge=False, timers=False)  # no local bus: the relay's job
    try:
        battles = [arena.app.create_battle("admin", BattleSettings(title="bench")) for _ in range(clients)]
        return in_parallel(clients, per_client, lambda n, i: arena.app.configure_battle(
            battles[n], {"title": f"title {i}"}))
    finally:
        arena.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--commands", type=int, default=4000, help="total per side")
    args = parser.parse_args()
    per_client = max(1, args.commands // args.clients)
    name = f"arena_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        raw = raw_inserts(url, args.clients, per_client)
        alone = arena_commands(url, args.clients, per_client, group_commit=False)
        grouped = arena_commands(url, args.clients, per_client, group_commit=True)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"clients={args.clients} commands={args.clients * per_client} per side")
    print(f"raw psycopg single-row INSERT transactions: {raw:8.0f} tx/s")
    print(f"arena commands, one transaction per command:  {alone:8.0f} commands/s  ratio {alone / raw:.0%}")
    print(f"arena commands, group commit (default):      {grouped:8.0f} commands/s  ratio {grouped / raw:.0%}")
    print("goal: >= 70% of raw")


if __name__ == "__main__":
    main()
