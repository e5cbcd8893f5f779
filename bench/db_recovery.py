"""From the database coming back to the first verdict (issue 12): how long the production
processes take to notice PostgreSQL is back and judge again, next to a submission's verdict
latency with the database up, in the same run.

The topology runs as real processes on a database and vhost of the bench's own: two relays (one
holds the lock, the other stands by), `arena worker` and `arena judge`. Each round:
  baseline: a submission is appended (by this process, through the application) and the time to
            its VerdictRecorded in the event store is taken, the database up all along;
  recovery: the database refuses connections and its sessions are ended, for --outage seconds
            (the processes back off and say so); the moment it accepts again, a submission is
            appended (retried until the store takes it) and the time from the database coming
            back to its VerdictRecorded is taken.
Usage: python bench/db_recovery.py [--rounds 3] [--outage 10]
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone

import psycopg
from bench_db import ADMIN_URL, migrated_database

from arena.bootstrap import bootstrap
from arena.domain.acting import Admin
from arena.domain.room_player import room_player_id
from arena.domain.settings import BattleSettings
from arena.settings import ArenaSettings

PROBLEM = b"---\ntitle: Echo\nslug: echo\nsamples:\n  - {input: '1', output: '1'}\n---\nEcho.\n"


def admin(statement: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(statement)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


def refuse(database: str, refusing: bool) -> None:
    admin(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {"false" if refusing else "true"}')
    if refusing:
        admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' "
              "AND pid <> pg_backend_pid()")


def verdict_seconds(arena, battle_id: uuid.UUID, user: str, started: float, deadline: float = 120) -> float:
    """Appends a submission (retrying while the store refuses) and waits for its verdict event."""
    while True:
        try:
            submission = arena.app.submit(battle_id, user, "echo", "python", "print(input())")
            break
        except Exception:  # noqa: BLE001 - the store is not back for this process yet
            time.sleep(0.02)
    player = room_player_id(battle_id, user)
    while time.monotonic() - started < deadline:
        try:
            for stored in arena.app.recorder.select_events(player, desc=True, limit=5):
                if stored.topic.endswith("RoomPlayer.VerdictRecorded") and submission.encode() in stored.state:
                    return time.monotonic() - started
        except Exception:  # noqa: BLE001
            pass
        time.sleep(0.02)
    raise SystemExit(f"no verdict for {submission} within {deadline} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--outage", type=float, default=10.0)
    args = parser.parse_args()
    vhost = f"arena_bench_{uuid.uuid4().hex[:8]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    processes: list[subprocess.Popen] = []
    try:
        with migrated_database() as url:
            database = url.rsplit("/", 1)[1]
            data_dir = tempfile.mkdtemp(prefix="arena-bench-")
            env = os.environ | {"ARENA_DATABASE_URL": url, "ARENA_BROKER_URL": f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
                                "ARENA_DATA_DIR": data_dir, "ARENA_JWT_SECRET": secrets.token_urlsafe(32),
                                "ARENA_JUDGE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
                                "ARENA_JUDGE_SLOTS": "1", "ARENA_LOG_LEVEL": "WARNING",
                                "ARENA_DB_POOL_SIZE": "1", "ARENA_DB_MAX_OVERFLOW": "2"}
            for number, command in enumerate((["relay"], ["relay"], ["worker"], ["judge"])):
                log = open(f"{data_dir}/{command[0]}-{number}.log", "wb")  # noqa: SIM115 - kept for the run
                processes.append(subprocess.Popen([sys.executable, "-m", "arena.cli", *command], env=env,
                                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            print(f"process logs in {data_dir}", flush=True)
            settings = ArenaSettings(database_url=url, broker_url=env["ARENA_BROKER_URL"], data_dir=data_dir,
                                     jwt_secret=env["ARENA_JWT_SECRET"], db_pool_size=1)
            arena = bootstrap(settings, judge=False, timers=False)
            arena.problems.upload(PROBLEM)
            battle_id = arena.app.create_battle("admin", BattleSettings(title="recovery", languages=["python"],
                                                                       duration_s=24 * 3600))
            arena.app.attach_problem(battle_id, "echo", by=Admin("admin"))
            arena.app.open_lobby(battle_id, by=Admin("admin"))
            users = [f"player-{n}" for n in range(2 * args.rounds + 1)]
            for user in users:
                arena.app.join(battle_id, user)
            arena.app.start_battle(battle_id, by=Admin("admin"))
            verdict_seconds(arena, battle_id, users[-1], time.monotonic(), deadline=180)  # warm: first judging
            baseline, recovery = [], []
            for round_ in range(args.rounds):
                baseline.append(verdict_seconds(arena, battle_id, users[2 * round_], time.monotonic()))
                refuse(database, True)
                time.sleep(args.outage)
                refuse(database, False)
                back = time.monotonic()
                recovery.append(verdict_seconds(arena, battle_id, users[2 * round_ + 1], back))
                print(f"round {round_ + 1}: verdict with the database up {baseline[-1] * 1000:6.0f} ms; "
                      f"database back -> first verdict {recovery[-1] * 1000:6.0f} ms "
                      f"(after {args.outage:g} s refused)", flush=True)
            arena.close()
            print(f"\nmedian: up {statistics.median(baseline) * 1000:.0f} ms, back -> first verdict "
                  f"{statistics.median(recovery) * 1000:.0f} ms ({statistics.median(recovery) / statistics.median(baseline):.1f}x), "
                  f"at {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        rabbitmqctl("delete_vhost", vhost)


if __name__ == "__main__":
    main()
