"""The consumer wrapper on real RabbitMQ: malformed messages and exhausted retries end in the
DLQ with their error and routing key, retries grow their delays, and the consumer keeps serving."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker

from arena.bus.consumer import Delivery, subscribe
from arena.bus.dlq import list_dead_letters
from arena.bus.topology import Topology, declare
from bus_messages import Ping, eventually, publish_event, until


async def started(broker: RabbitBroker, topology: Topology) -> None:
    await broker.connect()
    await declare(broker, topology)
    await broker.start()


async def test_a_malformed_message_goes_to_the_dlq_and_the_next_message_is_still_processed(
        topology: Topology, brokers) -> None:
    handled: list[int] = []

    async def handle(ping: Ping) -> None:
        handled.append(ping.n)

    broker: RabbitBroker = brokers()
    subscribe(broker, "arena.projections", handle, Ping, topology=topology)
    await started(broker, topology)

    await publish_event(broker, topology, "battle.started", b'{"n": "not a number"}', "bad:1")
    await publish_event(broker, topology, "battle.started", b"not even json", "bad:2")
    await publish_event(broker, topology, "battle.ended", b'{"n": 3}', "good:1")
    await until(lambda: handled == [3])

    dead = await list_dead_letters(broker, topology=topology)
    assert sorted(d.message_id for d in dead) == ["bad:1", "bad:2"]
    assert {d.routing_key for d in dead} == {"battle.started"}
    assert {d.queue for d in dead} == {topology.name("arena.projections")}
    assert all(d.error.startswith("malformed message") for d in dead)


async def test_a_failing_handler_is_retried_with_growing_delays_then_dead_lettered_with_its_error(
        topology: Topology, brokers) -> None:
    attempts: list[Delivery] = []

    async def always_fails(ping: Ping, delivery: Delivery) -> None:
        attempts.append(delivery)
        raise RuntimeError(f"scoreboard is on fire ({ping.n})")

    broker: RabbitBroker = brokers()
    subscribe(broker, "arena.projections", always_fails, Ping, topology=topology,
              max_attempts=3, delays=(0.1, 0.3))
    await started(broker, topology)

    await publish_event(broker, topology, "battle.started", b'{"n": 7}', "b1:4")
    dead = await eventually(lambda: list_dead_letters(broker, topology=topology))

    assert [d.attempt for d in attempts] == [1, 2, 3]
    assert {d.routing_key for d in attempts} == {"battle.started"}
    assert {d.message_id for d in attempts} == {"b1:4"}
    assert [d.headers.get("x-retry-delay-ms") for d in attempts] == [None, 100, 300]
    [letter] = dead
    assert letter.message_id == "b1:4"
    assert letter.error == "RuntimeError: scoreboard is on fire (7)"
    assert letter.routing_key == "battle.started"
    assert letter.queue == topology.name("arena.projections")
    assert letter.attempt == 3


async def test_a_handler_that_recovers_on_retry_is_not_dead_lettered_and_the_queue_keeps_serving(
        topology: Topology, brokers) -> None:
    seen: list[tuple[int, int]] = []

    async def flaky(ping: Ping, delivery: Delivery) -> None:
        seen.append((ping.n, delivery.attempt))
        if ping.n == 1 and delivery.attempt == 1:
            raise ConnectionError("database restarting")

    broker: RabbitBroker = brokers()
    subscribe(broker, "arena.projections", flaky, Ping, topology=topology, delays=(0.2,))
    await started(broker, topology)

    await publish_event(broker, topology, "battle.started", b'{"n": 1}', "k:1")
    await publish_event(broker, topology, "battle.started", b'{"n": 2}', "k:2")
    await until(lambda: (1, 2) in seen)

    assert (2, 1) in seen  # served while message 1 waited for its retry
    assert await list_dead_letters(broker, topology=topology) == []
