"""Live fan-out to 1,000 WebSocket clients on one battle: delivery latency from a verdict's
append to each client, next to a baseline in the same run (the same sockets fed by a bare
broadcast loop on the server's event loop: no bus, no stream, no ranking).

The API runs in this process (uvicorn in a thread, PostgreSQL). With --broker (the production
path) a relay runs in another thread and the API's hub is fed by its own queue on a RabbitMQ
vhost of the bench's own; without it the local bus feeds the hub (after the read models, in the
saving thread, as on the embedded default). The clients run in a child process (websockets, asyncio), so
the two do not share a GIL. Each verdict is recorded by the application as the commands worker
would (no judge runs); t0 is taken just before the append. Client and server share the clock.
Usage: python bench/live_fanout.py [--clients 1000] [--events 20] [--gap 0.5] [--broker]
Needs PostgreSQL at ARENA_BENCH_POSTGRES (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ADMIN_URL = os.environ.get("ARENA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


async def clients(url: str, token: str, count: int) -> None:
    """The child: `count` sockets; READY once each has its snapshot; STOP on stdin: results."""
    from websockets.asyncio.client import connect

    received: dict[int, list[float]] = {}

    async def one() -> None:
        async with connect(url, open_timeout=60, max_queue=None) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token, "after": None}))
            for _ in range(2):
                await ws.recv()
            ready.append(1)
            async for text in ws:
                now = time.time()
                received.setdefault(json.loads(text)["position"], []).append(now)

    ready: list[int] = []
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(one()))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # do not flood the accept queue
    while len(ready) < count:
        await asyncio.sleep(0.05)
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for task in tasks:
        task.cancel()
    print(json.dumps({str(p): times for p, times in received.items()}), flush=True)


def start_relay(arena, settings):
    """`arena relay` in a thread of its own (its own loop): (loop, stop event, thread)."""
    import threading

    from faststream.rabbit import RabbitBroker

    from arena.bus.relay import run_relay
    from arena.handlers.routing import topology

    made: list = []

    def run() -> None:
        async def relay() -> None:
            stop = asyncio.Event()
            made.extend([asyncio.get_running_loop(), stop])
            broker = RabbitBroker(settings.broker_url, logger=None)
            try:
                await run_relay(arena.app, arena.engine, broker, topology=topology(), stop_event=stop)
            finally:
                await broker.stop()

        asyncio.run(relay())

    thread = threading.Thread(target=run, name="relay", daemon=True)
    thread.start()
    while len(made) < 2:
        time.sleep(0.01)
    return made[0], made[1], thread


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between events")
    parser.add_argument("--broker", action="store_true", help="relay + RabbitMQ feed the hub")
    parser.add_argument("--child", nargs=3, metavar=("URL", "TOKEN", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.child:
        asyncio.run(clients(args.child[0], args.child[1], int(args.child[2])))
        return 0

    import psycopg

    from arena.api.app import create_app
    from arena.api.auth import mint_token
    from arena.api.server import start_in_thread
    from arena.bootstrap import bootstrap
    from arena.domain.acting import Admin
    from arena.domain.room_player import room_player_id
    from arena.domain.settings import BattleSettings
    from arena.live.log import log_end
    from arena.logging import configure_logging
    from arena.settings import ArenaSettings

    name = f"arena_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    vhost = f"arena-bench-{uuid.uuid4().hex[:8]}"
    if args.broker:
        for command in (["add_vhost", vhost], ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]):
            subprocess.run(["rabbitmqctl", *command], check=True, capture_output=True)
    settings = ArenaSettings(database_url=ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", data_dir=tempfile.mkdtemp(),
                             jwt_secret=secrets.token_urlsafe(32), log_level="WARNING", live_max_pending=10_000,
                             broker_url=f"amqp://guest:guest@127.0.0.1:5672/{vhost}" if args.broker else None)
    configure_logging(settings)
    arena = bootstrap(settings, migrate=True, judge=False, timers=False)
    child = relay = None
    if args.broker:
        relay = start_relay(arena, settings)
    try:
        arena.problems.upload(b"---\ntitle: Sum\nslug: sum\npoints: 100\n"
                              b"samples:\n  - {input: '1 2', output: '3'}\n---\nAdd.\n")
        app = arena.app
        battle = app.create_battle("admin", BattleSettings(title="fan-out", max_players=1000))
        app.attach_problem(battle, "sum", by=Admin("admin"))
        app.open_lobby(battle, by=Admin("admin"))
        players = [f"p{i}" for i in range(args.events)]
        for player in players:
            app.join(battle, player)
        app.start_battle(battle, by=Admin("admin"))
        server, base = start_in_thread(create_app(arena))
        hub = server.config.app.state.live.hub
        url = base.replace("http", "ws") + f"/api/v2/battles/{battle}/live"
        child = subprocess.Popen([sys.executable, __file__, "--child", url, mint_token(settings, "admin", "admin"),
                                  str(args.clients)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "READY", "the clients did not connect"
        started: dict[int, float] = {}
        for player in players:  # each player's first accepted verdict: a scoreboard change for all
            submission = app.submit(battle, player, "sum", "python", "print(3)")
            t0 = time.time()
            app.record_verdict(room_player_id(battle, player), submission, "AC", {"tests": []})
            started[log_end(app)] = t0
            time.sleep(args.gap)
        channel = hub.channels[str(battle)]

        def broadcast(position: int) -> None:  # one encoding, as the hub does
            text = json.dumps({"position": position, "v": 1, "type": "scoreboard",
                               "rows": [{"rank": 1, "user_id": "p0", "solved": 1, "penalty": 0, "points": 100}]})
            for subscriber in list(channel.subscribers):
                subscriber.offer(position, text)

        baseline: dict[int, float] = {}
        for i in range(args.events):
            position = 10**12 + i
            baseline[position] = time.time()
            hub.loop.call_soon_threadsafe(broadcast, position)
            time.sleep(args.gap)
        time.sleep(1)
        out, _ = child.communicate("STOP\n", timeout=120)
        received = {int(p): times for p, times in json.loads(out.strip().splitlines()[-1]).items()}
        server.should_exit = True
    finally:
        if child and child.poll() is None:
            child.kill()
        if relay is not None:
            relay[0].call_soon_threadsafe(relay[1].set)
            relay[2].join(timeout=30)
            subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)
        arena.close()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"{args.clients} clients, {args.events} events each way, {os.cpu_count()} cores, "
          f"fed by {'the relay and RabbitMQ' if args.broker else 'the local bus'}")
    for label, t0s in (("bus (append -> hub -> sockets)", started), ("baseline (bare broadcast)", baseline)):
        every = [t - t0s[p] for p in t0s for t in received.get(p, [])]
        last = [max(received[p]) - t0s[p] for p in t0s if p in received]
        missing = sum(args.clients - len(received.get(p, [])) for p in t0s)
        print(f"{label}: deliveries {len(every)} (missing {missing}); every client p50 "
              f"{statistics.median(every) * 1000:.0f} ms p99 {percentile(every, 0.99) * 1000:.0f} ms; "
              f"last client p50 {statistics.median(last) * 1000:.0f} ms p99 {percentile(last, 0.99) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
