"""Connecting to RabbitMQ until it works: at start, and the relay again after a failed publish.

FastStream's broker holds an aio-pika robust connection. Once connected, that connection
reconnects by itself every `RECONNECT_INTERVAL_S` and restores its channels, the exchanges and
queues declared on them, and their consumers (tests/integration/test_finding_2_*.py checks the
worker still consumes after its connections were closed). What it does not do is the first
connection — `connect_robust` raises when the broker refuses it — nor anything in between: a
publish on a channel being restored raises ChannelInvalidStateError, and a declare or a
subscriber start cut halfway leaves a broker that is neither up nor cleanly down. So: tear the
broker down, back off, and connect, declare and start again.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import structlog

from arena.bus.topology import Topology, declare
from arena.metrics import DEPENDENCY_UP
from arena.retrying import BROKER_DOWN, RECONNECTS, Backoff

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

log = structlog.get_logger(__name__)

RECONNECT_INTERVAL_S = 2.0  # aio-pika's robust connection, between its own attempts


async def connect_broker(broker: RabbitBroker, topology: Topology, backoff: Backoff,
                         stop: asyncio.Event, *, start: bool = False) -> bool:
    """Connect, declare `topology` and (with `start`) start the subscribers, retrying on broker
    errors until it works (True) or `stop` is set (False)."""
    while not stop.is_set():
        try:
            await broker.connect()
            await declare(broker, topology)
            if start:
                await broker.start()
        except BROKER_DOWN as exc:
            await reset(broker)
            await backoff.wait(exc, stop)
            continue
        backoff.succeeded()
        return True
    return False


async def reset(broker: RabbitBroker) -> None:
    """Closes the broker's connection and forgets its channels and declarations, so that the
    next `connect` starts from nothing. Stopping a broker whose connection is gone can fail on
    the way (cancelling a consumer on a dead channel); what is left is dropped with it."""
    with contextlib.suppress(Exception):
        await broker.stop()


def watch_robust_reconnects(process: str) -> dict[str, Any]:
    """RabbitBroker arguments that log and count the robust connection's own reconnects."""

    def closed(_connection: Any, error: BaseException | None = None) -> None:
        if error is not None:  # None: we closed it ourselves
            DEPENDENCY_UP.mark("broker", 0)
            log.warning("dependency.unavailable", process=process, dependency="broker",
                        error=f"{type(error).__name__}: {error}"[:500], retry_in=RECONNECT_INTERVAL_S)

    def reconnected(_connection: Any) -> None:
        RECONNECTS.labels(process, "broker").inc()
        DEPENDENCY_UP.mark("broker", 1)
        log.info("dependency.back", process=process, dependency="broker")

    return {"reconnect_interval": RECONNECT_INTERVAL_S, "on_close": [closed], "on_reconnected": [reconnected]}
