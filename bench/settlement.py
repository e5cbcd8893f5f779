"""Settlement of a big battle: from Battle.Ended stored to the ledger and the season leaderboard
applied, and to the ratings applied; next to a naive ledger (one statement per player).

Each run writes a running battle of N players to a throwaway PostgreSQL database as real events
(every player joined, submitted and was judged: 1 + 4N events, written in bulk, not timed),
ends it through the application, then runs the settlement's steps as `arena worker` runs them,
in a process whose aggregate cache is cold (a fresh application per run):
  settle (Battle.Ended) and, in the same handler, apply the Settled revision to the ledger and
  leaderboard (read back from the store, as the handler does), then its copy from the bus (a
  duplicate by then),
  -> and, side by side, the ratings, in a process of their own as the Procfile runs them
     (`arena worker --only ratings`): in the same process the two would take turns on one
     interpreter lock.
The bus hops are not in these figures (see --backlog for the bus): Battle.Ended's to the
worker, and Settled's to the ratings.
Baseline, same run, same standings: the ledger rows and leaderboard rows written with one
INSERT / one upsert statement per player, in one transaction.

--backlog N: publishes N messages the size of a Battle.Ended event to a queue on the local
RabbitMQ and times how long one consumer (prefetch 100, acks) takes to drain them.

Usage: python bench/settlement.py [--players 50000] [--runs 5] [--backlog 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from multiprocessing.connection import Connection

import psycopg
from bench_db import migrated_database

from arena.bootstrap import bootstrap
from arena.bus.envelope import envelope_from_stored
from arena.domain.acting import Admin
from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.domain.settings import BattleSettings
from arena.domain.settlement import settlement_id
from arena.handlers.settlement import RatingsStep, SettlementProcess
from arena.settings import ArenaSettings

RABBIT = os.environ.get("ARENA_BENCH_BROKER", "amqp://guest:guest@127.0.0.1:5672/")
PROBLEMS = {"a": 100, "b": 200, "c": 300}
ADMIN = Admin("admin")


def write_battle(app, players: int, seed: int) -> uuid.UUID:
    """A running battle of `players`, each with one judged submission, as real events."""
    rng, at = random.Random(seed), datetime.now(timezone.utc) - timedelta(minutes=30)
    battle = Battle.draft("admin", BattleSettings(title="bench", max_players=players, season="bench"), at)
    for slug, points in PROBLEMS.items():
        battle.attach_problem(slug=slug, sha256=slug * 64, title=slug, points=points)
    battle.open_lobby()
    users = [f"user-{seed}-{n:06d}" for n in range(players)]
    for user in users:
        battle.admit(user)
    battle.start(at=at, by=ADMIN)
    app.save(battle)
    for chunk in range(0, players, 1000):
        room = []
        for user in users[chunk:chunk + 1000]:
            player = RoomPlayer(battle_id=battle.id, user_id=user, at=at)
            submission, problem = str(uuid.uuid4()), rng.choice(list(PROBLEMS))
            received = at + timedelta(seconds=rng.randrange(1, 1500))
            player.submit(submission, problem, problem * 64, "python", "print(1)", "0" * 64, received)
            verdict = rng.choice(["AC", "AC", "WA", "TLE"])
            player.record_verdict(submission, verdict, received + timedelta(seconds=1), {},
                                  PROBLEMS[problem])
            player.complete(at=at + timedelta(minutes=29))  # the end completes the present ones
            room.append(player)
        app.save(*room)
    return battle.id


def end_battle(arena, battle_id: uuid.UUID) -> None:
    """Battle.Ended alone (the players were completed when written): what the end stores."""
    battle = arena.app.get_battle(battle_id)
    battle.end(at=datetime.now(timezone.utc), reason="bench")
    arena.app.save(battle)


class TimedSettlementProcess(SettlementProcess):
    """The worker's settlement handler, timing its ledger step and telling the ratings process
    when `Settled` is stored (it goes to both consumers at once: they run side by side)."""

    def __init__(self, *args, ratings: Connection) -> None:
        super().__init__(*args)
        self.ratings, self.ledger_steps = ratings, []

    def apply_settled(self, battle_id: uuid.UUID) -> None:
        self.ratings.send(battle_id)
        super().apply_settled(battle_id)

    def apply(self, event) -> None:
        started = time.perf_counter()
        super().apply(event)
        self.ledger_steps.append(time.perf_counter() - started)


def settle_once(settings: ArenaSettings, battle_id: uuid.UUID, ratings: Connection) -> tuple[float, float, float, list[tuple]]:
    """A cold worker's settlement steps; returns (to ledger, to ratings, the ledger step alone)
    and the standings. `ratings` is the pipe to the ratings process (rate_in_own_process)."""
    worker = bootstrap(settings, judge=False, timers=False)  # a fresh cache, like a worker's
    try:
        app = worker.app
        ended = next(e for e in app.recorder.select_events(battle_id, desc=True, limit=1))
        process = TimedSettlementProcess(app, worker.engine, worker.bus.fetch, ratings=ratings)
        started = time.perf_counter()
        process(envelope_from_stored(ended, app.mapper.transcoder))
        to_ledger, ledger_step = time.perf_counter() - started, process.ledger_steps[0]
        settled = [e for e in app.recorder.select_events(settlement_id(battle_id)) if e.topic.endswith("Settled")]
        process(envelope_from_stored(settled[-1], app.mapper.transcoder))  # the copy: finds it applied
        to_ratings = ratings.recv() - started  # perf_counter is the system's monotonic clock
        standings = app.get_settlement(battle_id).standings
        rows = list(zip(standings.users, standings.ranks, standings.points))
        return to_ledger, to_ratings, ledger_step, rows
    finally:
        worker.close()


def rate_in_own_process(settings: ArenaSettings, orders: Connection) -> None:
    """The arena.ratings consumer's step, in a process of its own: for each battle id received,
    applies its Settled revision to the ratings and answers with the clock when done."""
    from arena.logging import configure_logging

    configure_logging(ArenaSettings(log_level="WARNING", log_json=False))
    rater = bootstrap(settings, judge=False, timers=False)
    try:
        while (battle_id := orders.recv()) is not None:
            app = rater.app
            settled = [e for e in app.recorder.select_events(settlement_id(battle_id)) if e.topic.endswith("Settled")]
            RatingsStep(rater.engine, app)(envelope_from_stored(settled[-1], app.mapper.transcoder))
            orders.send(time.perf_counter())
    finally:
        rater.close()


def naive_ledger(url: str, battle_id: uuid.UUID, rows: list[tuple]) -> float:
    """The baseline: one INSERT into the ledger and one upsert of the leaderboard per player."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE naive_ledger (LIKE settlement_ledger INCLUDING ALL)")
        cursor.execute("CREATE TEMP TABLE naive_board (LIKE season_leaderboard INCLUDING ALL)")
        started = time.perf_counter()
        for user, rank, points in rows:
            cursor.execute("INSERT INTO naive_ledger VALUES (%s, 1, %s, 'bench', %s, %s, %s, %s, now())",
                           (str(battle_id), user, rank, points, "0" * 64, f"{battle_id}:1:{user}"))
            cursor.execute("INSERT INTO naive_board VALUES ('bench', %s, %s, 1) ON CONFLICT (season, user_id) "
                           "DO UPDATE SET points = naive_board.points + excluded.points, "
                           "battles = naive_board.battles + 1", (user, points))
        conn.commit()
    return time.perf_counter() - started


async def drain_backlog(count: int) -> tuple[float, float]:
    """Publishes `count` Battle.Ended-sized messages, then times one consumer draining them."""
    import aio_pika

    body = b'{"notification_id":123456,"topic":"arena.domain.battle:Battle.Ended","originator_id":"' \
           + str(uuid.uuid4()).encode() + b'","originator_version":50123,"timestamp":"2026-12-01T10:00:00+00:00",' \
           b'"data":{"at":{"$datetime":"2026-12-01T10:00:00+00:00"},"reason":"time is up"}}'
    queue_name = f"bench.backlog.{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect(RABBIT)
    async with connection:
        channel = await connection.channel(publisher_confirms=False)
        await channel.declare_queue(queue_name, durable=True, arguments={"x-queue-type": "quorum"})
        started = time.perf_counter()
        for n in range(count):
            await channel.default_exchange.publish(aio_pika.Message(body, message_id=f"m{n}"), routing_key=queue_name)
        published = time.perf_counter() - started
        consumer = await connection.channel()
        await consumer.set_qos(prefetch_count=100)
        done, seen = asyncio.Event(), 0
        started = time.perf_counter()

        async def on_message(message) -> None:
            nonlocal seen
            await message.ack()
            seen += 1
            if seen == count:
                done.set()

        source = await consumer.get_queue(queue_name)
        await source.consume(on_message)
        await done.wait()
        drained = time.perf_counter() - started
        await channel.queue_delete(queue_name)
    return published, drained


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    from arena.logging import configure_logging

    configure_logging(ArenaSettings(log_level="WARNING", log_json=False))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backlog", type=int, default=50_000)
    args = parser.parse_args()

    with migrated_database() as url:
        # A broker URL makes bootstrap leave the settling to the steps this bench times.
        settings = ArenaSettings(database_url=url, broker_url="amqp://unused", jwt_secret="bench" * 8,
                                 data_dir=tempfile.mkdtemp(prefix="arena-bench-"), judge_key="bench" * 8)
        writer = bootstrap(settings, judge=False, timers=False)
        ledger, ratings, steps, naive = [], [], [], []
        to_rater, rater_end = multiprocessing.Pipe()
        rater = multiprocessing.get_context("spawn").Process(target=rate_in_own_process, args=(settings, rater_end))
        rater.start()
        try:
            for run in range(args.runs):
                battle_id = write_battle(writer.app, args.players, seed=run)
                end_battle(writer, battle_id)
                to_ledger, to_ratings, step, rows = settle_once(settings, battle_id, to_rater)
                baseline = naive_ledger(url, battle_id, rows)
                ledger.append(to_ledger)
                ratings.append(to_ratings)
                steps.append(step)
                naive.append(baseline)
                print(f"run {run + 1}: to ledger+leaderboard {to_ledger * 1000:6.0f} ms, to ratings "
                      f"{to_ratings * 1000:6.0f} ms; applying the ledger {step * 1000:5.0f} ms vs naive "
                      f"{baseline * 1000:6.0f} ms ({baseline / step:.1f}x)", flush=True)
        finally:
            to_rater.send(None)
            rater.join()
            writer.close()
        print(f"\n{args.players} players, {args.runs} runs (ms)            p50      p95      p99")
        for label, values in (("Ended -> ledger + leaderboard", ledger), ("Ended -> ratings", ratings),
                              ("applying the ledger (bulk)", steps), ("applying it naively", naive)):
            print(f"  {label:30s} {percentile(values, .5) * 1000:8.0f} {percentile(values, .95) * 1000:8.0f} "
                  f"{percentile(values, .99) * 1000:8.0f}")
        print(f"  naive / bulk ledger at p50: {statistics.median(naive) / statistics.median(steps):.1f}x (goal >= 10x); "
              f"p99 to ledger {percentile(ledger, .99) * 1000:.0f} ms (goal < 1000); "
              f"p99 to ratings {percentile(ratings, .99) * 1000:.0f} ms (goal < 3000)")
        if args.backlog:
            published, drained = asyncio.run(drain_backlog(args.backlog))
            print(f"\nbacklog: {args.backlog} Battle.Ended-sized messages published in {published:.1f} s, "
                  f"drained by one consumer in {drained:.1f} s ({args.backlog / drained:,.0f} msgs/s)")


if __name__ == "__main__":
    main()
