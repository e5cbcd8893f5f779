"""A consumer killed after its effect committed but before its ack changes nothing: the broker
redelivers the message, and the idempotency key makes the second delivery a no-op."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import aio_pika
from faststream.rabbit import RabbitBroker

from arena.bootstrap import bootstrap
from arena.bus.consumer import subscribe
from arena.bus.envelope import EventEnvelope
from arena.bus.relay import Relay
from arena.bus.topology import Topology, declare
from arena.bus.trust import StoredEvents
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.handlers.rabbit import WORKER_QUEUES, WorkerContext, bind
from arena.projections.base import deliver
from arena.projections.checksum import checksum
from arena.projections.rebuild import rebuild
from arena.projections.room import read_room
from arena.settings import ArenaSettings
from bus_eventlog import PG_HOST, PG_PORT, PG_USER, RABBIT_URL

PROBLEM = b"---\ntitle: Echo\nslug: echo\nsamples:\n  - {input: \"1\", output: \"1\"}\n---\nEcho.\n"


async def test_a_consumer_killed_between_effect_and_ack_changes_nothing(
        dbname: str, topology: Topology, brokers: Callable[[], RabbitBroker], tmp_path: Path) -> None:
    settings = ArenaSettings(database_url=f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}",
                             broker_url=RABBIT_URL, data_dir=tmp_path)
    arena = bootstrap(settings, migrate=True)
    try:
        arena.problems.upload(PROBLEM)
        battle_id = arena.app.create_battle("admin", BattleSettings(title="t"))
        arena.app.attach_problem(battle_id, "echo", by=Admin("admin"))
        arena.app.open_lobby(battle_id, by=Admin("admin"))
        for player in ("ada", "grace", "linus"):
            arena.app.join(battle_id, player)
        relay_broker = brokers()
        await relay_broker.connect()
        await declare(relay_broker, topology)
        await Relay(arena.app, arena.engine, relay_broker, topology=topology).relay_page()

        # The "killed" consumer: takes every message, commits its effect, dies before acking.
        connection = await aio_pika.connect(RABBIT_URL)
        channel = await connection.channel()
        queue = await channel.get_queue(topology.name("arena.projections"), ensure=False)
        taken = 0
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            event = EventEnvelope.model_validate_json(message.body)
            for projection in arena.bus.projections:
                await asyncio.to_thread(deliver, arena.engine, projection, event, arena.bus.fetch)
            taken += 1
        await connection.close()  # no ack: the broker hands every message out again
        assert taken == arena.app.recorder.max_notification_id()
        applied_once = {name: checksum(arena.engine, name) for name in ("battles", "room", "scoreboard")}

        # The restarted worker receives them all a second time.
        worker = brokers()
        ctx = WorkerContext(app=arena.app, engine=arena.engine, projections=arena.bus.projections,
                            fetch=arena.bus.fetch, broker=worker, topology=topology,
                            leave_after=timedelta(minutes=5), clock=arena.app.clock)
        consumer, model, handler = WORKER_QUEUES["projections"]
        seen: list[str] = []

        async def counting(message: EventEnvelope) -> None:
            await bind(handler, ctx)(message)
            seen.append(message.idempotency_key)

        subscribe(worker, consumer.queue, counting, model, topology=topology,
                  trust=StoredEvents(arena.engine, arena.app.mapper.transcoder))
        await worker.connect()
        await declare(worker, topology)
        await worker.start()
        deadline = time.monotonic() + 30
        while len(seen) < taken and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert len(seen) == taken  # redelivered, every one

        assert {name: checksum(arena.engine, name) for name in applied_once} == applied_once
        room = read_room(arena.engine, str(battle_id))
        assert len(room["players"]) == 3
        rebuilt = await asyncio.to_thread(rebuild, arena.engine, arena.app, "battles")
        assert rebuilt.checksum == applied_once["battles"]  # what a single, clean pass gives
    finally:
        arena.close()
