"""Rebuild throughput vs a raw scan of the notification log (PostgreSQL).

Creates a throwaway database, writes N events (whole battles, one append each, no bus), then
measures (a) a raw SELECT of the log through a psycopg server-side cursor, the floor any rebuild
pays to read, and (b) `rebuild` of the scoreboard and the room projections. Prints events/s
side by side with the ratio. Usage: python bench/rebuild_throughput.py [--events 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg

from arena.bootstrap import bootstrap
from arena.domain.acting import Admin
from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.domain.settings import BattleSettings
from arena.projections.rebuild import rebuild
from arena.settings import ArenaSettings

ADMIN_URL = os.environ.get("ARENA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PLAYERS, SUBMISSIONS = 20, 5  # 5 + 20 x (2 + 2 x 5) = 245 events per battle


def write_events(app, wanted: int) -> None:
    rng, at = random.Random(1), datetime(2025, 1, 1, tzinfo=timezone.utc)
    written = 0
    while written < wanted:
        battle = Battle.draft("admin", BattleSettings(title="bench", max_players=PLAYERS), at)
        battle.attach_problem(slug="a", sha256="a" * 64, title="a", points=100)
        battle.open_lobby()
        room = []
        for number in range(PLAYERS):
            battle.admit(f"user-{number}")
            room.append(RoomPlayer(battle_id=battle.id, user_id=f"user-{number}", at=at))
        battle.start(at=at, by=Admin("admin"))
        for player in room:
            for minute in range(SUBMISSIONS):
                submission_id = str(uuid.uuid4())
                player.submit(submission_id, "a", "a" * 64, "python", "print(1)", "0" * 64,
                              at + timedelta(minutes=minute))
                player.record_verdict(submission_id, rng.choice(["AC", "WA", "TLE"]),
                                      at + timedelta(minutes=minute, seconds=30), {}, 100)
        app.save(battle, *room)
        written += 4 + PLAYERS * (2 + 2 * SUBMISSIONS)


def raw_scan(url: str, table: str) -> tuple[int, float]:
    started, rows = time.perf_counter(), 0
    with psycopg.connect(url) as conn, conn.cursor(name="bench_scan") as cursor:
        cursor.itersize = 10_000
        cursor.execute(f"SELECT notification_id, originator_id, originator_version, topic, state "
                       f"FROM {table} ORDER BY notification_id")
        for _ in cursor:
            rows += 1
    return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    args = parser.parse_args()
    name = f"arena_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    arena = bootstrap(ArenaSettings(database_url=url, data_dir=tempfile.mkdtemp()), migrate=True, judge=False)
    try:
        arena.app.on_saved = None  # measure rebuilds only: nothing is delivered while writing
        write_events(arena.app, args.events)
        total = arena.app.recorder.max_notification_id()
        rows, seconds = raw_scan(url, arena.app.recorder.events_table_name)
        raw = rows / seconds
        print(f"log: {total} events")
        print(f"{'what':<34}{'events':>9}{'seconds':>9}{'events/s':>11}{'vs raw':>8}")
        print(f"{'raw SELECT (server-side cursor)':<34}{rows:>9}{seconds:>9.2f}{raw:>11,.0f}{1:>8.2f}")
        for projection in ("scoreboard", "room"):
            result = rebuild(arena.engine, arena.app, projection)
            rate = result.scanned / result.seconds
            label = f"rebuild {projection} ({result.applied} applied)"
            print(f"{label:<34}{result.scanned:>9}{result.seconds:>9.2f}{rate:>11,.0f}{rate / raw:>8.2f}")
    finally:
        arena.close()
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
