"""Relay and consumer throughput against raw aio-pika with publisher confirms, in the same run.

    PYTHONPATH=src python bench/relay_throughput.py [--events 20000] [--rounds 3] [--prefetch 100]

Needs PostgreSQL (127.0.0.1:5432, user postgres, trust) and RabbitMQ (127.0.0.1:5672 guest).
It creates a throwaway database and a randomly prefixed topology, and removes both.

Measured, per round (the median is printed):
- publish: ours = Relay pages (read the log, decode, encode, publish concurrently on the
  broker's confirm channel, await every confirm, advance the position); raw = aio-pika
  publishing the same pre-encoded bodies, 500 in flight, confirms on.
- consume: ours = arena.bus.consumer.subscribe (a FastStream subscriber whose deliveries go
  straight to the consumer wrapper: span, body parsed into EventEnvelope, the event read back from the
  store (arena.bus.trust, batched primary-key lookups), handler, coalesced
  acks after it); raw = aio-pika consume + one ack per message, no parsing. For reference,
  a plain FastStream handler with `msg: RabbitMessage` injected.
- end to end: publisher and consumer running at once, until the last message is acked.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import aio_pika
import psycopg
import structlog
from eventsourcing.application import Application
from faststream import AckPolicy
from faststream.rabbit import RabbitBroker, RabbitMessage
from faststream.rabbit.schemas import Channel
from sqlalchemy import create_engine, delete

from arena.bus.consumer import subscribe
from arena.bus.envelope import EventEnvelope
from arena.bus.relay import Relay, envelope_from_notification
from arena.bus.topology import EVENTS, ConsumerQueue, Topology, declare
from arena.bus.trust import StoredEvents
from arena.db.migrations import upgrade
from arena.db.tables import bus_positions
from arena.domain.battle import Battle
from arena.domain.settings import BattleSettings

RABBIT = "amqp://guest:guest@127.0.0.1:5672/"
PG = "postgresql://postgres@127.0.0.1:5432/test"
QUEUE = "bench.events"


class BattleLog(Application):
    def fill(self, count: int) -> None:
        at = datetime.now(timezone.utc)
        for start in range(0, count, 100):
            self.save(*[Battle.draft("admin", BattleSettings(title=f"b{start + i}"), at)
                        for i in range(min(100, count - start))])


class Clock:
    """Started by the work itself once connected, so connection set-up is not counted."""

    def __init__(self) -> None:
        self.started = 0.0

    def start(self) -> None:
        if not self.started:
            self.started = time.perf_counter()


async def timed(bench: Bench, work: Callable[[], Awaitable[None]], count: int) -> float:
    bench.clock = Clock()
    await work()
    return count / (time.perf_counter() - bench.clock.started)


class Bench:
    def __init__(self, app: BattleLog, engine, topology: Topology, n: int, prefetch: int) -> None:
        self.app, self.engine, self.topology, self.n, self.prefetch = app, engine, topology, n, prefetch
        self.queue_name = topology.name(QUEUE)
        self.bodies: list[bytes] = []
        self.clock = Clock()

    # -- ours ---------------------------------------------------------------------------
    async def relay_publish(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(bus_positions))
        broker = RabbitBroker(RABBIT, logger=None)
        async with broker:
            relay = Relay(self.app, self.engine, broker, topology=self.topology)
            self.clock.start()
            while await relay.relay_page():
                pass

    async def ours_consume(self, then: Callable[[], Awaitable[None]] | None = None) -> None:
        done, count = asyncio.Event(), 0

        async def handle(envelope: EventEnvelope) -> None:
            nonlocal count
            count += 1
            if count == self.n:
                done.set()

        broker = RabbitBroker(RABBIT, logger=None)
        # Every event is read back from the store, as production consumers do (arena.bus.trust).
        trust = StoredEvents(self.engine, self.app.mapper.transcoder,
                             table=self.app.recorder.events_table_name)
        subscribe(broker, QUEUE, handle, EventEnvelope, topology=self.topology, prefetch=self.prefetch,
                  trust=trust)
        async with broker:
            self.clock.start()
            await broker.start()
            if then is not None:
                await then()
            await done.wait()

    async def injected_consume(self) -> None:
        done, count = asyncio.Event(), 0
        broker = RabbitBroker(RABBIT, logger=None)

        @broker.subscriber(self.topology.consumer_queue(QUEUE), ack_policy=AckPolicy.MANUAL,
                           channel=Channel(prefetch_count=self.prefetch), no_reply=True)
        async def handle(envelope: EventEnvelope, msg: RabbitMessage) -> None:
            nonlocal count
            await msg.ack()
            count += 1
            if count == self.n:
                done.set()

        async with broker:
            self.clock.start()
            await broker.start()
            await done.wait()

    async def ours_end_to_end(self) -> None:
        await _alongside(self.ours_consume, self.relay_publish)

    # -- raw aio-pika ---------------------------------------------------------------------
    async def raw_publish(self) -> None:
        connection = await aio_pika.connect(RABBIT)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(self.topology.name(EVENTS))
            self.clock.start()
            for start in range(0, self.n, 500):
                await asyncio.gather(*(
                    exchange.publish(aio_pika.Message(body, message_id=str(i), content_type="application/json",
                                                      delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                                     routing_key="battle.created")
                    for i, body in enumerate(self.bodies[start:start + 500], start)))

    async def raw_consume(self, then: Callable[[], Awaitable[None]] | None = None) -> None:
        connection = await aio_pika.connect(RABBIT)
        async with connection:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self.prefetch)
            queue = await channel.get_queue(self.queue_name)
            done, count = asyncio.Event(), 0

            async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
                nonlocal count
                await message.ack()
                count += 1
                if count == self.n:
                    done.set()

            self.clock.start()
            await queue.consume(on_message)
            if then is not None:
                await then()
            await done.wait()

    async def raw_end_to_end(self) -> None:
        await _alongside(self.raw_consume, self.raw_publish)


async def _alongside(consume: Callable[..., Awaitable[None]], publish: Callable[[], Awaitable[None]]) -> None:
    """Start publishing once the consumer is subscribed; done when both are."""
    tasks: list[asyncio.Task[None]] = []

    async def start_publishing() -> None:
        tasks.append(asyncio.create_task(publish()))

    await consume(then=start_publishing)
    await asyncio.gather(*tasks)


async def main(n: int, rounds: int, prefetch: int) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    dbname = f"arena_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    topology = Topology(prefix=f"bench{uuid.uuid4().hex[:6]}.", consumers=(ConsumerQueue(QUEUE, events=("#",)),))
    app = BattleLog(env={"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": dbname,
                         "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
                         "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": ""})
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}")
    try:
        upgrade(engine)
        app.fill(n)
        broker = RabbitBroker(RABBIT, logger=None)
        async with broker:
            await declare(broker, topology)
        bench = Bench(app, engine, topology, n, prefetch)
        notifications = app.recorder.select_notifications(start=None, limit=n)
        bench.bodies = [envelope_from_notification(x, app.mapper.transcoder).model_dump_json().encode()
                        for x in notifications]
        results: dict[str, list[float]] = {}
        for _ in range(rounds):  # interleaved, so drift on a shared machine hits both sides alike
            for name, work in (("publish/raw", bench.raw_publish), ("consume/raw", bench.raw_consume),
                               ("publish/ours", bench.relay_publish), ("consume/ours", bench.ours_consume),
                               ("publish/ours", None), ("consume/injected", bench.injected_consume),
                               ("e2e/raw", bench.raw_end_to_end), ("e2e/ours", bench.ours_end_to_end)):
                if work is None:  # refill the queue for the injected-consumer reference
                    await bench.raw_publish()
                    continue
                results.setdefault(name, []).append(await timed(bench, work, n))
        report(results, n, rounds, prefetch)
    finally:
        app.close()
        engine.dispose()
        await _delete(topology)
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def report(results: dict[str, list[float]], n: int, rounds: int, prefetch: int) -> None:
    median = {name: statistics.median(values) for name, values in results.items()}
    print(f"{n} events x {rounds} rounds, prefetch {prefetch}, median msgs/s (all rounds)")
    for stage in ("publish", "consume", "e2e"):
        ours, raw = median[f"{stage}/ours"], median[f"{stage}/raw"]
        rounds_text = " ".join(f"{v:,.0f}" for v in results[f"{stage}/ours"])
        print(f"  {stage:8} ours {ours:>8,.0f}  raw aio-pika {raw:>8,.0f}  ratio {ours / raw:5.0%}"
              f"   (ours per round: {rounds_text})")
    injected = median["consume/injected"]
    print(f"  consume with `msg: RabbitMessage` injected: {injected:,.0f} "
          f"({injected / median['consume/raw']:.0%} of raw; ours is {median['consume/ours'] / injected:.1f}x it)")


async def _delete(topology: Topology) -> None:
    connection = await aio_pika.connect(RABBIT)
    async with connection:
        channel = await connection.channel()
        for queue in topology.queues():
            await channel.queue_delete(queue.name)
        for exchange in topology.exchanges():
            await channel.exchange_delete(exchange.name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prefetch", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rounds, args.prefetch))
