"""Issue 10, finding 8, on the real RabbitMQ: what is published to no queue is kept, not lost, and
each process connects as its own user that can do only its own job."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import aio_pika
import aiormq
import pytest
from faststream.rabbit import RabbitBroker
from sqlalchemy import Engine

from arena.bus.access import rabbitmqctl_script
from arena.bus.consumer import subscribe
from arena.bus.envelope import EventEnvelope
from arena.bus.publish import publish_confirmed
from arena.bus.relay import Relay
from arena.bus.topology import EVENTS, WORK, ConsumerQueue, Topology, declare
from arena.bus.trust import StoredEvents
from arena.handlers.routing import access, topology as routed_topology
from bus_eventlog import RABBIT_URL, BattleLog
from bus_messages import until
from own_services import fresh_vhost, rabbitmqctl

Action = Callable[[aio_pika.abc.AbstractChannel], Awaitable[object]]



def set_policies(topology: Topology, vhost: str = "/") -> None:
    script = rabbitmqctl_script(topology, [], vhost)
    subprocess.run(["sh", "-c", script], check=True, capture_output=True, timeout=60)


async def queued(channel: aio_pika.abc.AbstractChannel, queue: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    taken, q = [], await channel.get_queue(queue, ensure=False)
    while (message := await q.get(no_ack=True, fail=False)) is not None:
        taken.append(message)
    return taken


async def test_finding_8_unbound_routing_key_lands_in_the_alternate_exchange(brokers) -> None:
    topology = Topology(prefix=f"t{uuid.uuid4().hex[:8]}.", consumers=(
        ConsumerQueue("arena.commands", events=("battle.started",), work=("judge.results",)),))
    broker: RabbitBroker = brokers()
    await broker.connect()
    await declare(broker, topology)
    set_policies(topology)  # what the operator's definitions.json or access.sh sets
    connection = await aio_pika.connect(RABBIT_URL)
    try:
        channel = await connection.channel()
        # must_route: the broker would return an unroutable message (NotRouted); with the
        # alternate exchange nothing is unroutable any more.
        for exchange, key in ((EVENTS, "battle.strated"), (WORK, "judge.resluts"), (EVENTS, "battle.started")):
            await publish_confirmed(broker, f'{{"key": "{key}"}}'.encode(), exchange=topology.exchange(exchange),
                                    routing_key=key, message_id=f"{exchange}:{key}")
        unrouted: list = []

        async def taken() -> bool:
            unrouted.extend(await queued(channel, topology.name("arena.unrouted")))
            return len(unrouted) >= 2

        async with asyncio.timeout(10):
            while not await taken():
                await asyncio.sleep(0.05)
        assert sorted(m.message_id for m in unrouted) == [f"{EVENTS}:battle.strated", f"{WORK}:judge.resluts"]
        assert {m.routing_key for m in unrouted} == {"battle.strated", "judge.resluts"}  # kept as sent
        bound = await queued(channel, topology.name("arena.commands"))
        assert [m.message_id for m in bound] == [f"{EVENTS}:battle.started"]
    finally:
        channel = await connection.channel()
        for queue in topology.queues():
            await channel.queue_delete(queue.name)
        for exchange in topology.exchanges():
            await channel.exchange_delete(exchange.name)
        await connection.close()
        for policy in topology.policies():
            rabbitmqctl("clear_policy", policy.name)


@pytest.fixture
def vhost() -> str:
    """A vhost of its own, with per-process users whose names are this test's alone."""
    with fresh_vhost(name=f"arena-test-{uuid.uuid4().hex[:8]}") as url:  # guest: the operator
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def users(vhost: str):
    """process user -> amqp URL, created with rabbitmqctl and granted by the generated script."""
    suffix = vhost.rsplit("-", 1)[1]
    grants = [dataclasses.replace(g, user=f"{g.user}.{suffix}") for g in access()]
    urls = {}
    for grant in grants:
        password = "p" + secrets.token_urlsafe(16)  # never "-...": rabbitmqctl would read an option
        rabbitmqctl("add_user", grant.user, password)
        urls[grant.user.rsplit(".", 1)[0]] = f"amqp://{grant.user}:{password}@127.0.0.1:5672/{quote(vhost, safe='')}"
    subprocess.run(["sh", "-c", rabbitmqctl_script(routed_topology(), grants, vhost)], check=True,
                   capture_output=True, timeout=120)
    yield urls
    for grant in grants:
        rabbitmqctl("delete_user", grant.user)


async def refused(url: str, action: Action) -> bool:
    """Whether RabbitMQ refuses `action` to this user (403 ACCESS_REFUSED closes the channel)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        try:
            await action(channel)
        except aiormq.exceptions.ChannelAccessRefused:
            return True
    return False


def publish_to(exchange: str, key: str) -> Action:
    async def action(channel: aio_pika.abc.AbstractChannel) -> object:
        target = await channel.get_exchange(exchange, ensure=False)
        return await target.publish(aio_pika.Message(b"{}", message_id="probe"), routing_key=key)
    return action


def take_from(queue: str) -> Action:
    async def action(channel: aio_pika.abc.AbstractChannel) -> object:
        return await (await channel.get_queue(queue, ensure=False)).get(no_ack=False, fail=False)
    return action


def redeclare(queue: str) -> Action:
    async def action(channel: aio_pika.abc.AbstractChannel) -> object:
        return await channel.declare_queue(queue, durable=True, arguments=dict(
            routed_topology().consumer_queue(queue).arguments))
    return action


async def test_finding_8_each_process_user_has_only_its_permissions(
        vhost: str, users: dict[str, str], log: BattleLog, engine: Engine) -> None:
    admin_url = f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}"
    admin = RabbitBroker(admin_url, logger=None)
    async with admin:
        await declare(admin, routed_topology())  # the operator loads the topology
    passive = dataclasses.replace(routed_topology(), declare=False)  # ARENA_BROKER_DECLARE=false

    # The finding: a judge's credentials could publish events. Now: ACCESS_REFUSED.
    assert await refused(users["arena-judge"], publish_to("arena.events", "room_player.verdict_recorded"))
    assert await refused(users["arena-judge"], take_from("arena.commands"))
    assert await refused(users["arena-worker"], publish_to("arena.events", "battle.created"))
    assert await refused(users["arena-worker"], publish_to("arena.work", "judge.results"))
    assert await refused(users["arena-worker"], redeclare("arena.projections"))  # no configure
    assert await refused(users["arena-relay"], take_from("arena.projections"))
    assert await refused(users["arena-relay"], publish_to("arena.work", "judge.results"))
    assert await refused(users["arena-operator"], publish_to("arena.events", "battle.created"))

    # The real paths still work, each as its own user, checking the topology passively.
    assert not await refused(users["arena-judge"], take_from("judge.requests"))
    assert not await refused(users["arena-judge"], publish_to("arena.work", "judge.results"))
    assert not await refused(users["arena-operator"], take_from("arena.dlq"))
    log.draft_battles(3)
    relay_broker = RabbitBroker(users["arena-relay"], logger=None)
    worker = RabbitBroker(users["arena-worker"], logger=None)
    seen: list[str] = []

    async def project(event: EventEnvelope) -> None:
        seen.append(event.idempotency_key)

    subscribe(worker, "arena.projections", project, EventEnvelope, topology=passive,
              trust=StoredEvents(engine, log.mapper.transcoder, table=log.recorder.events_table_name))
    try:
        await relay_broker.connect()
        await declare(relay_broker, passive)
        assert await Relay(log, engine, relay_broker, topology=passive).relay_page() == 3
        await worker.connect()
        await declare(worker, passive)
        await worker.start()
        await until(lambda: len(seen) == 3)
    finally:
        await relay_broker.stop()
        await worker.stop()
