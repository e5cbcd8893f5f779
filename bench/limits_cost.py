"""What the abuse limits cost the commands workload: commands/s with the limits on vs off, same run.

The workload is bench/commands_throughput.py's (32 clients, each changing its own battle: load,
change, append one event on PostgreSQL, group commit on), spread over one process per core as the
API is deployed, but sent through the whole API app so that the limits middleware runs: each
command is `PATCH /api/v2/battles/{id}` with a JWT (each client is its own admin user), through
authentication, the limits middleware, the idempotency and body middlewares, the route handler
on the executor and ArenaApplication. The requests are handed to the ASGI app in process by a
minimal driver (no sockets, no HTTP parser, no uvicorn): what is left is the app's own work, so the
limiter's share of it is not diluted by the server's, which makes the ratio a conservative one.
  off: ARENA_RATE_*=0/60 and no in-flight cap: the middleware classifies the request and passes it.
  on:  ARENA_REDIS_URL set and rates so high that nothing is refused: every PATCH spends the
       per-user `mutations` quota in Redis (one Lua script, one round trip), as in production.
Rounds alternate off, on, off, on... so that the machine's drifting load hits both sides alike.
On a shared machine commands/s swings with other load, so the API processes' own CPU time per
command (time.process_time over the timed part, all threads; PostgreSQL's and Redis's excluded)
is printed too: the limiter's cost to the API tier, steadier than a rate.
Usage: python bench/limits_cost.py [--clients 32] [--commands 8000] [--processes N] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import secrets
import statistics
import tempfile
import time
import uuid


from bench_db import migrated_database

REDIS_URL = os.environ.get("ARENA_REDIS_URL", "redis://127.0.0.1:6379/0")
OFF = {"rate_mutations": "0/60", "rate_submissions": "0/60", "rate_anonymous": "0/60",
       "max_submissions_in_flight": 0}
ON = {"rate_mutations": "1000000000/60", "rate_submissions": "1000000000/60",
      "rate_anonymous": "1000000000/60", "max_submissions_in_flight": 1000000, "redis_url": REDIS_URL}
WARM_UP = 5  # requests per client before the clock starts: Redis connections, the script cached


def scope_for(path: str, token: str, body: bytes) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PATCH",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode()),
                        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 40000), "server": ("bench", 80), "state": {}}


async def call(app, path: str, token: str, body: bytes) -> int:
    """One request through the ASGI app; its status."""
    sent, status = False, 0

    async def receive() -> dict:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # the app never waits for a disconnect here
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope_for(path, token, body), receive, send)
    return status


def http_commands(url: str, clients: int, per_client: int, start, limits: dict, secret: str,
                  ) -> tuple[float, float, dict[int, int], float]:
    from arena.api.app import create_app
    from arena.api.auth import mint_token
    from arena.bootstrap import bootstrap
    from arena.domain.settings import BattleSettings
    from arena.settings import ArenaSettings

    settings = ArenaSettings(database_url=url, data_dir=tempfile.mkdtemp(), broker_url="amqp://unused",
                             jwt_secret=secret, log_level="WARNING", **limits)
    arena = bootstrap(settings, migrate=False, judge=False, timers=False)  # no local bus: the relay's job
    app = create_app(arena)
    users = [f"bench-{uuid.uuid4().hex[:10]}" for _ in range(clients)]
    paths = [f"/api/v2/battles/{arena.app.create_battle(user, BattleSettings(title='bench'))}" for user in users]
    tokens = [mint_token(settings, user, "admin", 3600) for user in users]
    statuses: dict[int, int] = {}

    async def client(n: int, count: int) -> None:
        for i in range(count):
            status = await call(app, paths[n], tokens[n], json.dumps({"title": f"title {i}"}).encode())
            statuses[status] = statuses.get(status, 0) + 1

    async def run() -> tuple[float, float, float]:
        await asyncio.gather(*(client(n, WARM_UP) for n in range(clients)))
        statuses.clear()
        await asyncio.to_thread(start.wait)  # every process is set up: go together
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(client(n, per_client) for n in range(clients)))
        ended, cpu = time.perf_counter(), time.process_time() - cpu
        await arena.limiter.close()
        return started, ended, cpu

    try:
        started, ended, cpu = asyncio.run(run())
    finally:
        arena.close()
    return started, ended, statuses, cpu


def _process(url: str, clients: int, per_client: int, start, results, limits: dict, secret: str) -> None:
    from arena.logging import configure_logging
    from arena.settings import ArenaSettings

    configure_logging(ArenaSettings(log_level="WARNING", log_json=False))
    results.put(http_commands(url, clients, per_client, start, limits, secret))


def in_processes(url: str, clients: int, per_client: int, processes: int, limits: dict | None,
                 target=None) -> tuple[float, float]:
    """(commands/s, API CPU ms per command) with the clients spread over processes that start
    together, each running `target` (default: this bench's, with `limits`); every answer must be
    200. bench/telemetry_cost.py passes its own target."""
    context = multiprocessing.get_context("spawn")
    start, results, secret = context.Barrier(processes), context.Queue(), secrets.token_urlsafe(32)
    workers = [context.Process(target=target or _process, args=(url, clients // processes, per_client, start,
                                                                 results, limits, secret)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    spans = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    statuses: dict[int, int] = {}
    for _, _, counted, _ in spans:
        for status, count in counted.items():
            statuses[status] = statuses.get(status, 0) + count
    if set(statuses) != {200}:
        raise SystemExit(f"not every command was answered 200: {statuses}")
    done = (clients // processes) * processes * per_client
    wall = max(span[1] for span in spans) - min(span[0] for span in spans)
    return done / wall, sum(span[3] for span in spans) * 1000 / done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--commands", type=int, default=8000, help="total per side and round")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    per_client = max(1, args.commands // args.clients)
    figures: dict[str, list[float]] = {"off": [], "on": []}
    cpu: dict[str, list[float]] = {"off": [], "on": []}
    with migrated_database() as url:
        for _ in range(args.rounds):
            for side, limits in (("off", OFF), ("on", ON)):
                rate, cpu_ms = in_processes(url, args.clients, per_client, args.processes, limits)
                figures[side].append(rate)
                cpu[side].append(cpu_ms)
    print(f"clients={args.clients} over processes={args.processes}, commands={args.clients * per_client} "
          f"per side and round, through the API app (PATCH /api/v2/battles/{{id}}), group commit")
    for side, label in (("off", "limits off"), ("on", f"limits on (Redis {REDIS_URL})")):
        runs = ", ".join(f"{value:,.0f}" for value in figures[side])
        print(f"{label:<44} {statistics.median(figures[side]):8,.0f} commands/s (rounds: {runs}); "
              f"API CPU {statistics.median(cpu[side]):.3f} ms/command")
    ratios = [on / off for on, off in zip(figures["on"], figures["off"])]
    print(f"on/off: {statistics.median(ratios):.0%} (rounds: {', '.join(f'{r:.0%}' for r in ratios)}); "
          "goal: the limits cost at most 10% (on/off >= 90%)")
    extra = [on / off - 1 for on, off in zip(cpu["on"], cpu["off"])]
    print(f"API CPU per command, on vs off: {statistics.median(extra):+.0%} "
          f"(rounds: {', '.join(f'{e:+.0%}' for e in extra)})")


if __name__ == "__main__":
    main()
