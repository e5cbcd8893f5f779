"""HTTP path (issue 11): submissions and an authenticated read through `arena serve --workers N`,
next to a Litestar hello world served the same way (bench/apps/hello.py), in the same run.

ours: POST /api/v2/battles/{id}/submissions from 32 keep-alive connections, 32 joined players of
      one running battle, one player per connection, each request with its token, a body and a
      fresh Idempotency-Key (bench/wrk/rotate.lua); PostgreSQL (its own database) and RabbitMQ (its
      own vhost) behind it, the limiter on Redis with limits raised above the load. No judge:
      submissions just queue. Then GET /api/v2/languages (authenticated, no database).
base: the hello world's POST and GET, same server stack, same workers, same wrk.
Usage: python bench/http_submit.py [--seconds 15] [--connections 32] [--workers 2]
Needs wrk (`make bench` installs it as root), rabbitmqctl and Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

HERE = Path(__file__).resolve().parent
ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ARENA_BENCH_REDIS", "redis://127.0.0.1:6379/0")
NAME = "arena_bench_http"
PROBLEM = ("---\ntitle: Sum\nslug: {slug}\npoints: 100\ntime_limit_ms: 2000\n"
           "samples:\n  - {{input: \"1 2\", output: \"3\"}}\n---\n\nRead two integers, print their sum.\n")
SOURCE = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database() -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{NAME}"')
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{NAME}"


def fresh_vhost() -> str:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", NAME], capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", NAME], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", NAME, "guest", ".*", ".*", ".*"],
                   check=True, capture_output=True)
    return f"amqp://guest:guest@127.0.0.1:5672/{NAME}"


def start(command: list[str], env: dict[str, str], log: Path, health: str) -> subprocess.Popen:
    process = subprocess.Popen(command, env=os.environ | env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(health).status_code < 500:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{command} did not start; see {log}")
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def running_battle(base: str, token, players: int) -> tuple[str, list[str]]:
    """A running battle with one problem, python allowed, and `players` joined players."""
    slug = f"sum-{uuid.uuid4().hex[:8]}"
    admin = {"Authorization": f"Bearer {token('root', 'admin')}"}
    with httpx.Client(base_url=f"{base}/api/v2", timeout=30) as http:
        def ok(response: httpx.Response) -> httpx.Response:
            assert response.status_code < 300, response.text
            return response

        ok(http.post("/problems", headers={**admin, "Content-Type": "text/markdown"},
                     content=PROBLEM.format(slug=slug)))
        battle = ok(http.post("/battles", headers=admin, json={"title": "bench", "languages": ["python"],
                                                               "max_players": 1000})).json()["id"]
        ok(http.post(f"/battles/{battle}/problems", headers=admin, json={"slug": slug}))
        ok(http.post(f"/battles/{battle}/lobby", headers=admin))
        users = [f"bench-{uuid.uuid4().hex[:8]}" for _ in range(players)]
        tokens = [token(user, "player") for user in users]
        for player_token in tokens:
            ok(http.post(f"/battles/{battle}/join", headers={"Authorization": f"Bearer {player_token}"}))
        ok(http.post(f"/battles/{battle}/start", headers=admin))
    body = json.dumps({"problem": slug, "language": "python", "source": SOURCE})
    return battle, [f"{player_token}\t{body}" for player_token in tokens]


def wrk(url: str, players_file: Path, method: str, seconds: int, connections: int) -> dict:
    wrk_args = ["wrk", f"-t{connections}", f"-c{connections}", "--timeout", "10s", "-s", str(HERE / "wrk" / "rotate.lua")]
    subprocess.run([*wrk_args, "-d2s", url, "--", str(players_file), method], check=True,
                   capture_output=True)  # warm-up: connections, caches, the JIT-less first calls
    out = subprocess.run([*wrk_args, f"-d{seconds}s", url, "--", str(players_file), method],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def show(label: str, result: dict, base: dict | None = None) -> None:
    ratio = f"  {result['rps'] / base['rps']:.0%} of hello world" if base else ""
    print(f"{label:<44} {result['rps']:>9,.0f} req/s  p50 {result['p50_us'] / 1000:6.1f} ms  "
          f"p99 {result['p99_us'] / 1000:6.1f} ms  non-2xx {result['non2xx']}  "
          f"socket errors {result['socket_errors']}{ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--players", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--arena-path", default=None,
                        help="PYTHONPATH for `arena serve` only: another tree's src (and stubs), for "
                             "before/after figures; the hello world always runs from this tree")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="arena-bench-http-"))
    secret = secrets.token_urlsafe(32)
    env = {"ARENA_DATABASE_URL": fresh_database(), "ARENA_BROKER_URL": fresh_vhost(),
           "ARENA_REDIS_URL": REDIS_URL, "ARENA_DATA_DIR": str(workdir / "data"), "ARENA_JWT_SECRET": secret,
           # the limiter stays on (Redis, one script per request); the load must stay under it
           "ARENA_RATE_MUTATIONS": "100000000/60", "ARENA_RATE_SUBMISSIONS": "100000000/60",
           "ARENA_MAX_SUBMISSIONS_IN_FLIGHT": "100000000", "ARENA_POSTGRES_POOL_SIZE": "8"}
    cli = [sys.executable, "-m", "arena.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=os.environ | env, check=True, capture_output=True)

    from arena.api.auth import mint_token
    from arena.settings import ArenaSettings

    settings = ArenaSettings(jwt_secret=secret)
    port = free_port()
    hello = start([sys.executable, str(HERE / "apps" / "hello.py"), str(port), str(args.workers)],
                  {"PYTHONPATH": str(HERE / "apps")}, workdir / "hello.log", f"http://127.0.0.1:{port}/hello")
    try:
        players_file = workdir / "players.tsv"
        players_file.write_text("\n".join(
            f"{mint_token(settings, f'p{i}', 'player')}\t{{\"problem\": \"sum\", \"language\": \"python\", "
            f"\"source\": {json.dumps(SOURCE)}}}" for i in range(args.players)) + "\n")
        hello_post = wrk(f"http://127.0.0.1:{port}/hello", players_file, "POST", args.seconds, args.connections)
        hello_get = wrk(f"http://127.0.0.1:{port}/hello", players_file, "GET", args.seconds, args.connections)
    finally:
        stop(hello)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if args.arena_path:
        env["PYTHONPATH"] = args.arena_path
    server = start([*cli, "serve", "--port", str(port), "--workers", str(args.workers)], env,
                   workdir / "arena.log", f"{base}/health")
    try:
        battle, lines = running_battle(base, lambda user, role: mint_token(settings, user, role), args.players)
        players_file.write_text("\n".join(lines) + "\n")
        ours_post = wrk(f"{base}/api/v2/battles/{battle}/submissions", players_file, "POST", args.seconds,
                        args.connections)
        ours_get = wrk(f"{base}/api/v2/languages", players_file, "GET", args.seconds, args.connections)
    finally:
        stop(server)
    print(f"{args.connections} keep-alive connections, {args.workers} workers, {args.seconds} s each; "
          f"logs in {workdir}")
    show("hello world POST", hello_post)
    show("POST /api/v2/battles/{id}/submissions", ours_post, hello_post)
    show("hello world GET", hello_get)
    show("GET /api/v2/languages (authenticated)", ours_get, hello_get)


if __name__ == "__main__":
    main()
