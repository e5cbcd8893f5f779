"""Coalesced acks on real RabbitMQ: nothing is acked before its own effect, whatever finishes
first, and a message finishing behind a slow one does not wait for it."""

from __future__ import annotations

import asyncio

import aio_pika
from faststream.rabbit import RabbitBroker

from arena.bus.acks import ChannelAcks
from arena.bus.consumer import subscribe
from arena.bus.topology import Topology, declare
from bus_eventlog import RABBIT_URL
from bus_messages import Ping, publish_event, until


async def publish_pings(broker: RabbitBroker, topology: Topology, count: int) -> None:
    for n in range(1, count + 1):
        await publish_event(broker, topology, "battle.started", f'{{"n": {n}}}'.encode(), f"ping:{n}")


async def take(channel: aio_pika.abc.AbstractChannel, queue_name: str, count: int) -> list:
    queue = await channel.get_queue(queue_name)
    return [await queue.get(no_ack=False) for _ in range(count)]


async def left_in(queue_name: str) -> list[str]:
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        queue = await (await connection.channel()).get_queue(queue_name)
        left = []
        while message := await queue.get(no_ack=True, fail=False):
            left.append(message.message_id)
        return sorted(left)


async def test_out_of_order_settling_acks_exactly_what_was_settled(topology: Topology, brokers) -> None:
    broker: RabbitBroker = brokers()
    await broker.connect()
    await declare(broker, topology)
    await publish_pings(broker, topology, 6)
    queue_name = topology.name("arena.projections")
    connection = await aio_pika.connect(RABBIT_URL)
    channel = await connection.channel()
    m1, m2, m3, m4, m5, m6 = await take(channel, queue_name, 6)
    acks = ChannelAcks(m1.channel)

    acks.ack(m3)  # above a gap: alone
    await acks.sent()
    acks.ack(m1)
    acks.ack(m2)  # closes the gap: one ack up to m2
    await acks.sent()
    await acks.nack(m5, requeue=True)
    acks.ack(m6)  # above m4, still in its handler
    await acks.sent()
    await connection.close()  # crash: m4 was never settled

    # a double or unknown ack would have closed the channel before m6's ack went out
    assert await left_in(queue_name) == ["ping:4", "ping:5"]


async def test_a_message_behind_a_slow_one_is_acked_without_waiting_for_it(topology: Topology, brokers) -> None:
    release, handled = asyncio.Event(), []

    async def handle(ping: Ping) -> None:
        if ping.n == 1:
            await release.wait()
        handled.append(ping.n)

    broker: RabbitBroker = brokers()
    # prefetch 2: with ping 1 held, pings 3 and 4 arrive only if ping 2's ack is not held behind it
    subscribe(broker, "arena.projections", handle, Ping, topology=topology, prefetch=2)
    await broker.connect()
    await declare(broker, topology)
    await broker.start()
    await publish_pings(broker, topology, 4)

    await until(lambda: handled == [2, 3, 4])
    release.set()
    await until(lambda: handled == [2, 3, 4, 1])
    await broker.stop()
    assert await left_in(topology.name("arena.projections")) == []


async def test_a_crash_redelivers_only_the_message_whose_effect_had_not_committed(
        topology: Topology, brokers) -> None:
    handled: list[int] = []
    release = asyncio.Event()

    async def handle(ping: Ping) -> None:
        if ping.n == 2:
            await release.wait()  # "killed" before its effect commits
        handled.append(ping.n)

    broker: RabbitBroker = brokers()
    subscribe(broker, "arena.projections", handle, Ping, topology=topology, prefetch=10)
    connection = await broker.connect()
    await declare(broker, topology)
    await broker.start()
    await publish_pings(broker, topology, 5)
    await until(lambda: sorted(handled) == [1, 3, 4, 5])

    await connection.close()  # the process dies; the held handler never finishes
    release.set()
    assert await left_in(topology.name("arena.projections")) == ["ping:2"]
