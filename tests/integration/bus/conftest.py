"""Real RabbitMQ and PostgreSQL for the bus tests, isolated per test: a random name prefix for
every exchange and queue (deleted afterwards) and a throwaway database for the event log."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from sqlalchemy import Engine

from arena.bus.topology import Topology
from arena.handlers.routing import topology as routed_topology
from arena.db.migrations import upgrade
from bus_eventlog import RABBIT_URL, BattleLog, event_log, read_model_engine
from own_services import database_name, fresh_database



@pytest.fixture
def dbname() -> Iterator[str]:
    with fresh_database("arena_bus_test") as url:
        yield database_name(url)


@pytest.fixture
def log(dbname: str) -> Iterator[BattleLog]:
    app = event_log(dbname)
    yield app
    app.close()


@pytest.fixture
def engine(dbname: str) -> Iterator[Engine]:
    engine = read_model_engine(dbname)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
async def topology() -> AsyncIterator[Topology]:
    topology = routed_topology(prefix=f"t{uuid.uuid4().hex[:8]}.")
    yield topology
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()
        for queue in topology.queues():
            await channel.queue_delete(queue.name)
        for exchange in topology.exchanges():
            await channel.exchange_delete(exchange.name)


@pytest.fixture
async def brokers() -> AsyncIterator[Callable[[], RabbitBroker]]:
    """Make brokers (register subscribers, then start); all are stopped at the end."""
    made: list[RabbitBroker] = []

    def make() -> RabbitBroker:
        made.append(RabbitBroker(RABBIT_URL, logger=None))
        return made[-1]

    yield make
    for broker in made:
        await broker.stop()


@pytest.fixture
async def channel() -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A plain aio-pika channel for looking at queues from outside the code under test."""
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        yield await connection.channel()
