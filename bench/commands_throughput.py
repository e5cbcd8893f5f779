"""Commands/s on PostgreSQL vs raw single-row INSERT transactions, same concurrency, same run.

ours: 32 clients, each changing its own battle through ArenaApplication (load the aggregate,
      apply the command, append ONE event): the write path of every API command, without HTTP.
      The clients are spread over --processes processes (default: one per core), each with its
      own application, as API processes are deployed (the Procfile's api scales out); measured
      with one transaction per command, and with group commit (saves that arrive while an append
      is written share the next transaction).
raw:  the same 32 clients over the same processes, each running single-row INSERT transactions
      with psycopg into a plain table in the same database.
Usage: python bench/commands_throughput.py [--clients 32] [--commands 8000] [--processes N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable

import psycopg

from bench_db import migrated_database

Work = Callable[[int, int], object]  # (client, i) -> anything


def run_clients(clients: int, per_client: int, work: Work, start: threading.Barrier | None = None,
                ) -> tuple[float, float]:
    """Runs work(client, i) per_client times in each of `clients` threads; returns (start, end)."""
    ready = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        ready.wait()
        for i in range(per_client):
            work(number, i)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    if start is not None:
        start.wait()  # every process is set up: go together
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return started, time.perf_counter()


def raw_inserts(url: str, clients: int, per_client: int, start) -> tuple[float, float]:
    connections = [psycopg.connect(url, autocommit=True) for _ in range(clients)]
    try:
        return run_clients(clients, per_client, lambda n, i: connections[n].execute(
            "INSERT INTO bench_rows (client, payload) VALUES (%s, %s)", (n, f"title {i}")), start)
    finally:
        for conn in connections:
            conn.close()


def arena_commands(url: str, clients: int, per_client: int, start, group_commit: bool) -> tuple[float, float]:
    from arena.bootstrap import bootstrap
    from arena.domain.acting import Admin
    from arena.domain.settings import BattleSettings
    from arena.settings import ArenaSettings

    settings = ArenaSettings(database_url=url, data_dir=tempfile.mkdtemp(), broker_url="amqp://unused",
                             group_commit=group_commit)
    arena = bootstrap(settings, migrate=False, judge=False, timers=False)  # no local bus: the relay's job
    try:
        battles = [arena.app.create_battle("admin", BattleSettings(title="bench")) for _ in range(clients)]
        return run_clients(clients, per_client, lambda n, i: arena.app.configure_battle(
            battles[n], {"title": f"title {i}"}, by=Admin("admin")), start)
    finally:
        arena.close()


def _process(side: str, url: str, clients: int, per_client: int, start, results) -> None:
    if side == "raw":
        results.put(raw_inserts(url, clients, per_client, start))
    else:
        results.put(arena_commands(url, clients, per_client, start, group_commit=side == "grouped"))


def in_processes(side: str, url: str, clients: int, per_client: int, processes: int) -> float:
    """ops/s of `side` with the clients spread over processes that start together."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_process, args=(side, url, clients // processes, per_client, start, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    spans = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    return (clients // processes) * processes * per_client / (max(end for _, end in spans) - min(s for s, _ in spans))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--commands", type=int, default=8000, help="total per side")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    per_client = max(1, args.commands // args.clients)
    with migrated_database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_rows (id bigserial PRIMARY KEY, client int, payload text)")
        figures = {side: in_processes(side, url, args.clients, per_client, args.processes)
                   for side in ("raw", "alone", "grouped")}
    raw = figures["raw"]
    print(f"clients={args.clients} over processes={args.processes}, "
          f"commands={args.clients * per_client} per side")
    print(f"raw psycopg single-row INSERT transactions: {raw:8.0f} tx/s")
    print(f"arena commands, one transaction per command:  {figures['alone']:8.0f} commands/s  "
          f"ratio {figures['alone'] / raw:.0%}")
    print(f"arena commands, group commit (default):      {figures['grouped']:8.0f} commands/s  "
          f"ratio {figures['grouped'] / raw:.0%}")
    print("goal: >= 70% of raw")


if __name__ == "__main__":
    main()
