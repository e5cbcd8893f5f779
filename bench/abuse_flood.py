"""A flood of submissions from one player against the production shape, with the default limits.

300 submissions (--submissions) from ONE player, sent by 32 concurrent clients (--clients, httpx
async), against `arena serve --workers 2` on PostgreSQL with the broker, with `arena relay`,
`arena worker` and `arena judge` running as real processes: a database and a RabbitMQ vhost of
the bench's own, ARENA_REDIS_URL set (the limits shared by both API processes), ARENA_JUDGE_KEY
for the judge and the worker. The limits are the defaults unless ARENA_RATE_* /
ARENA_MAX_SUBMISSIONS_IN_FLIGHT are set in the environment.

Prints the answers by status (and the 429s by the limit that refused them); every answer must be
202, 429 or 503, so a 500 (or anything else) is a failure: exit 1. Then waits until every 202 is
judged (polls GET /api/v2/submissions/{id}) and prints how long that took; exit 1 if one is not
judged within --judge-timeout seconds.
Usage: python bench/abuse_flood.py [--submissions 300] [--clients 32] [--judge-timeout 120]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
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

ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ARENA_REDIS_URL", "redis://127.0.0.1:6379/0")
ALLOWED = {202, 429, 503}
PROBLEM = """---
title: Sum
slug: {slug}
points: 100
time_limit_ms: 2000
samples:
  - {{input: "1 2", output: "3"}}
tests:
  - {{input: "1000000 1000000", output: "2000000", name: big}}
---

Read two integers and print their sum.
"""
SOURCE = "print(sum(map(int, input().split())))"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


class Shape:
    """The production processes, each in its own session so that it is stopped with its children."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.processes = env, logs, []

    def run(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "arena.cli", *args], env=os.environ | self.env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise SystemExit(f"arena {' '.join(args)} failed: {done.stderr[-2000:]}")

    def start(self, *args: str, **extra: str) -> subprocess.Popen:
        log = open(self.logs / f"{args[0]}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "arena.cli", *args], env=os.environ | self.env | extra,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((args[0], process, log))
        return process

    def check_alive(self) -> None:
        for name, process, _ in self.processes:
            if process.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"arena {name} exited with {process.returncode}:\n{tail}")

    def stop(self) -> None:
        for _, process, _ in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _, process, log in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


def wait_healthy(root: str, shape: Shape, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        shape.check_alive()
        try:
            if httpx.get(f"{root}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the API was not ready within {timeout_s} s")


def running_battle(api: httpx.Client, admin: dict, player: dict) -> tuple[str, str]:
    slug = f"sum-{uuid.uuid4().hex[:8]}"
    steps = [api.post("/problems", headers={**admin, "Content-Type": "text/markdown"},
                      content=PROBLEM.format(slug=slug))]
    created = api.post("/battles", headers=admin, json={"title": "flood", "languages": ["python"]})
    battle = created.json()["id"]
    steps += [created, api.post(f"/battles/{battle}/problems", headers=admin, json={"slug": slug}),
              api.post(f"/battles/{battle}/lobby", headers=admin),
              api.post(f"/battles/{battle}/join", headers=player),
              api.post(f"/battles/{battle}/start", headers=admin)]
    for response in steps:
        if response.status_code >= 300:
            raise SystemExit(f"setting the battle up failed: {response.status_code} {response.text}")
    return battle, slug


async def flood(base: str, battle: str, problem: str, player: dict, submissions: int, clients: int,
                ) -> tuple[collections.Counter, collections.Counter, list[str], float]:
    statuses, refusals, accepted = collections.Counter(), collections.Counter(), []
    remaining = iter(range(submissions))
    body = {"problem": problem, "language": "python", "source": SOURCE}

    async def client(http: httpx.AsyncClient) -> None:
        for _ in remaining:  # one shared iterator: 300 in all, whichever client is free
            response = await http.post(f"/battles/{battle}/submissions", headers=player,
                                       json=body)
            statuses[response.status_code] += 1
            if response.status_code == 202:
                accepted.append(response.json()["id"])
            elif response.status_code == 429:
                refusals[response.json().get("limit", "?")] += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        return statuses, refusals, accepted, time.perf_counter() - started


def wait_judged(api: httpx.Client, player: dict, accepted: list[str], timeout_s: float) -> tuple[float, list[str]]:
    started, waiting = time.perf_counter(), set(accepted)
    while waiting and time.perf_counter() - started < timeout_s:
        for submission in list(waiting):
            answer = api.get(f"/submissions/{submission}", headers=player)
            if answer.status_code == 200 and answer.json()["status"] == "judged":
                waiting.discard(submission)
        if waiting:
            time.sleep(0.2)
    return time.perf_counter() - started, sorted(waiting)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--judge-timeout", type=float, default=120.0)
    args = parser.parse_args()
    from arena.api.auth import mint_token
    from arena.settings import ArenaSettings

    name = f"arena_flood_{uuid.uuid4().hex[:8]}"
    data_dir = Path(tempfile.mkdtemp(prefix="arena-flood-"))
    secret, port = secrets.token_urlsafe(32), free_port()
    env = {"ARENA_DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + f"/{name}",
           "ARENA_BROKER_URL": f"amqp://guest:guest@127.0.0.1:5672/{name}", "ARENA_REDIS_URL": REDIS_URL,
           "ARENA_DATA_DIR": str(data_dir), "ARENA_JWT_SECRET": secret, "ARENA_LOG_LEVEL": "WARNING",
           "ARENA_POSTGRES_POOL_SIZE": "2", "ARENA_POSTGRES_MAX_OVERFLOW": "4"}
    judge_key = {"ARENA_JUDGE_KEY": secrets.token_urlsafe(32)}  # the judge's and the worker's only
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    shape = Shape(env, data_dir)
    try:
        shape.run("db", "upgrade")
        shape.start("serve", "--port", str(port), "--workers", "2")
        shape.start("relay")
        shape.start("worker", **judge_key)
        shape.start("judge", **judge_key)
        root = f"http://127.0.0.1:{port}"
        wait_healthy(root, shape)
        settings = ArenaSettings(jwt_secret=secret)
        admin = {"Authorization": f"Bearer {mint_token(settings, 'flood-admin', 'admin', 3600)}"}
        player_id = f"flooder-{uuid.uuid4().hex[:8]}"
        player = {"Authorization": f"Bearer {mint_token(settings, player_id, 'player', 3600)}"}
        api = httpx.Client(base_url=f"{root}/api/v2", timeout=30)
        battle, problem = running_battle(api, admin, player)
        limits = ArenaSettings()  # the defaults, or what the environment says, as the API reads them
        print(f"limits: submissions {limits.rate_submissions}, mutations {limits.rate_mutations}, "
              f"in flight {limits.max_submissions_in_flight} (expire after {limits.submission_in_flight_s:.0f} s), "
              f"Redis {REDIS_URL}")

        statuses, refusals, accepted, took = asyncio.run(
            flood(f"{root}/api/v2", battle, problem, player, args.submissions, args.clients))
        print(f"{args.submissions} submissions from one player, {args.clients} clients, in {took:.2f} s: "
              + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items())))
        if refusals:
            print("429 by limit: " + ", ".join(f"{limit}: {count}" for limit, count in sorted(refusals.items())))
        if limits.max_submissions_in_flight and len(accepted) > limits.max_submissions_in_flight:
            print(f"{len(accepted)} accepted with at most {limits.max_submissions_in_flight} in flight: "
                  "verdicts freed slots during the flood (arena worker's limits consumer)")
        bad = {status: count for status, count in statuses.items() if status not in ALLOWED}
        if bad:
            print(f"FAILED: answers other than 202, 429 or 503: {bad}")
            return 1

        judged_in, never = wait_judged(api, player, accepted, args.judge_timeout)
        shape.check_alive()
        if never:
            print(f"FAILED: {len(never)} of {len(accepted)} accepted submissions not judged within "
                  f"{args.judge_timeout:.0f} s: {never[:5]}")
            return 1
        print(f"all {len(accepted)} accepted submissions judged {judged_in:.2f} s after the flood ended")
        return 0
    finally:
        shape.stop()
        rabbitmqctl("delete_vhost", name)
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
