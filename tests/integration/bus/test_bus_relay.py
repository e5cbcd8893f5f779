"""The relay on real PostgreSQL and RabbitMQ: every event published, none skipped, even when killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aio_pika
import psycopg
from faststream.rabbit import RabbitBroker

from arena.bus.envelope import EventEnvelope
from arena.bus.relay import Relay, run_relay
from arena.bus.topology import Topology, declare
from bus_eventlog import PG_HOST, PG_PORT, PG_USER

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[2] / "src"


async def drain(channel: aio_pika.abc.AbstractChannel, queue_name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    queue = await channel.get_queue(queue_name)
    messages = []
    while message := await queue.get(no_ack=True, fail=False):
        messages.append(message)
    return messages


async def relay_until_caught_up(relay: Relay) -> None:
    while await relay.relay_page():
        pass


async def test_every_event_is_published_with_its_idempotency_key_routing_key_and_persistence(
        log, engine, topology: Topology, brokers, channel) -> None:
    battle_ids = log.draft_battles(3)
    broker: RabbitBroker = brokers()
    await broker.connect()
    await declare(broker, topology)
    relay = Relay(log, engine, broker, topology=topology, batch=2)

    await relay_until_caught_up(relay)

    messages = await drain(channel, topology.name("arena.projections"))
    assert [m.message_id for m in messages] == [f"{battle_id}:1" for battle_id in battle_ids]
    assert {m.routing_key for m in messages} == {"battle.created"}
    assert {m.delivery_mode for m in messages} == {aio_pika.DeliveryMode.PERSISTENT}
    envelope = EventEnvelope.model_validate_json(messages[0].body)
    assert (envelope.originator_id, envelope.notification_id) == (battle_ids[0], 1)
    assert envelope.data["admin_id"] == "admin" and "timestamp" not in envelope.data
    assert relay.position() == log.recorder.max_notification_id() == 3


async def test_correlation_headers_from_the_hook_travel_with_the_event(
        log, engine, topology: Topology, brokers, channel) -> None:
    log.draft_battles(1)
    broker: RabbitBroker = brokers()
    await broker.connect()
    await declare(broker, topology)
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    relay = Relay(log, engine, broker, topology=topology,
                  headers=lambda envelope: {"request_id": "req-42", "traceparent": traceparent})

    await relay_until_caught_up(relay)

    [message] = await drain(channel, topology.name("arena.projections"))
    assert message.headers["request_id"] == "req-42"
    assert message.correlation_id == "req-42"
    assert "0af7651916cd43dd8448eb211c80319c" in message.headers["traceparent"]


async def test_run_relay_publishes_events_saved_while_it_runs_and_stops_when_asked(
        log, engine, topology: Topology, brokers, channel) -> None:
    broker: RabbitBroker = brokers()
    stop = asyncio.Event()
    running = asyncio.create_task(run_relay(log, engine, broker, topology=topology, stop_event=stop))
    relay = Relay(log, engine, broker, topology=topology)
    log.draft_battles(5)
    while relay.position() < 5:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    assert len(await drain(channel, topology.name("arena.projections"))) == 5


async def test_a_relay_killed_mid_batch_loses_nothing_and_its_restart_republishes_never_skips(
        dbname, log, engine, topology: Topology, brokers, channel) -> None:
    battle_ids = log.draft_battles(3000)
    total = log.recorder.max_notification_id()
    broker: RabbitBroker = brokers()
    await broker.connect()
    await declare(broker, topology)
    queue = await channel.get_queue(topology.name("arena.projections"))
    relay = Relay(log, engine, broker, topology=topology)

    process = subprocess.Popen(
        [sys.executable, str(HERE / "bus_eventlog.py"), dbname, topology.prefix, "500"],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(HERE)])})
    try:
        while (await channel.declare_queue(queue.name, passive=True)).declaration_result.message_count == 0:
            assert process.poll() is None, "the relay process died on its own"
            await asyncio.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    killed_at = relay.position()
    published_before_kill = (await channel.declare_queue(queue.name, passive=True)).declaration_result.message_count
    assert killed_at < total, "the relay finished before it was killed; the test proves nothing"

    await relay_until_caught_up(relay)

    keys = [m.message_id for m in await drain(channel, queue.name)]
    assert set(keys) == {f"{battle_id}:1" for battle_id in battle_ids}
    # What was published past the saved position before the kill is published again.
    assert len(keys) == total + (published_before_kill - killed_at)
    assert relay.position() == total


async def test_an_append_wakes_an_idle_relay_that_would_not_poll_for_a_minute(
        log, engine, topology: Topology, brokers, channel) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(run_relay(log, engine, brokers(), topology=topology,
                                            stop_event=stop, idle=(60.0, 60.0)))
    relay = Relay(log, engine, brokers(), topology=topology)
    log.draft_battles(1)
    await until(lambda: relay.position() >= 1)  # published, then idle: next poll in 60 s

    log.draft_battles(2)
    await until(lambda: relay.position() >= 3)  # only the notification can have woken it
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    assert len(await drain(channel, topology.name("arena.projections"))) == 3


async def test_a_second_relay_waits_as_a_standby_and_takes_over_when_the_first_stops(
        log, engine, topology: Topology, brokers, channel) -> None:
    def signed(name: str):  # each relay marks what it publishes
        return lambda envelope: {"relay": name}

    first_stop, second_stop = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(run_relay(log, engine, brokers(), topology=topology, stop_event=first_stop,
                                          headers=signed("first")))
    relay = Relay(log, engine, brokers(), topology=topology)
    log.draft_battles(5)
    await until(lambda: relay.position() >= 5)
    second = asyncio.create_task(run_relay(log, engine, brokers(), topology=topology, stop_event=second_stop,
                                           headers=signed("second")))
    await asyncio.sleep(0.5)  # time enough for it to take the lock, were it free
    log.draft_battles(5)  # both are LISTENing: only the lock keeps the second one quiet
    await until(lambda: relay.position() >= 10)

    first_stop.set()
    await asyncio.wait_for(first, timeout=10)
    log.draft_battles(5)
    await until(lambda: relay.position() >= 15)
    second_stop.set()
    await asyncio.wait_for(second, timeout=10)
    messages = await drain(channel, topology.name("arena.projections"))
    assert [message.headers["relay"] for message in messages] == ["first"] * 10 + ["second"] * 5
    assert len({message.message_id for message in messages}) == 15


async def test_a_relay_whose_lock_session_drops_stops_publishing_and_stands_for_the_lock_again(
        dbname, log, engine, topology: Topology, brokers) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(run_relay(log, engine, brokers(), topology=topology, stop_event=stop))
    relay = Relay(log, engine, brokers(), topology=topology)
    log.draft_battles(1)
    await until(lambda: relay.position() >= 1)
    with psycopg.connect(f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}", autocommit=True) as conn:
        terminated = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").fetchall()
    assert terminated == [(True,)]

    log.draft_battles(1)  # relayed once it holds the lock again, by the same process
    await until(lambda: relay.position() >= 2)
    assert not running.done()
    stop.set()
    await asyncio.wait_for(running, timeout=10)


async def until(condition, timeout: float = 20.0) -> None:
    """Polls a synchronous condition off the event loop; fails after `timeout` (a liveness bound)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(condition):
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.05)
