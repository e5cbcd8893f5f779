"""The API's broker user (infra/rabbitmq/access.sh, `arena-api`): with only its generated
grant and a topology loaded by the operator, an instance's live feed starts (its own exclusive
queue, bound to arena.events, declared passively) and receives events; it may publish nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import subprocess
import uuid
from urllib.parse import quote

import aio_pika
import aiormq
import pytest
from faststream.rabbit import RabbitBroker

from arena.bus.access import rabbitmqctl_script
from arena.bus.topology import EVENTS, declare
from arena.handlers.routing import access, topology as routed_topology
from arena.live.feed import BrokerFeed
from arena.live.hub import LiveHub
from own_services import fresh_vhost, rabbitmqctl



@pytest.fixture
def api_user():
    vhost, user, password = f"arena-live-{uuid.uuid4().hex[:8]}", f"arena-api.{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(16)
    with fresh_vhost(name=vhost):  # guest: the operator
        rabbitmqctl("add_user", user, password)
        [grant] = [dataclasses.replace(g, user=user) for g in access() if g.user == "arena-api"]
        subprocess.run(["sh", "-c", rabbitmqctl_script(routed_topology(), [grant], vhost)], check=True,
                       capture_output=True, timeout=120)
        yield vhost, f"amqp://{user}:{password}@127.0.0.1:5672/{quote(vhost, safe='')}"
        rabbitmqctl("delete_user", user)


class Recorded(LiveHub):
    def __init__(self) -> None:
        super().__init__(None, None)
        self.fed: list = []

    def feed(self, envelope) -> None:
        self.fed.append(envelope)


async def test_the_api_user_runs_its_live_feed_and_publishes_nothing(api_user) -> None:
    vhost, url = api_user
    operator = RabbitBroker(f"amqp://guest:guest@127.0.0.1:5672/{quote(vhost, safe='')}", logger=None)
    await operator.connect()
    await declare(operator, routed_topology())  # the operator loads the topology
    hub = Recorded()
    feed = BrokerFeed(url, hub, dataclasses.replace(routed_topology(), declare=False))
    await feed.start()
    try:
        body = (b'{"notification_id": 7, "topic": "arena.domain.battle:Battle.Started", "originator_id": '
                b'"%s", "originator_version": 5, "timestamp": "2026-12-02T00:00:00+00:00", '
                b'"data": {}}' % str(uuid.uuid4()).encode())
        exchange = await operator.declare_exchange(routed_topology().exchange(EVENTS))
        await exchange.publish(aio_pika.Message(body), routing_key="battle.started")
        async with asyncio.timeout(10):
            while not hub.fed:
                await asyncio.sleep(0.02)
        assert hub.fed[0].notification_id == 7
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
                target = await channel.get_exchange(EVENTS, ensure=False)
                await target.publish(aio_pika.Message(b"{}"), routing_key="battle.started")
    finally:
        await feed.stop()
        await operator.stop()
