"""What feeds an instance's hub: its own RabbitMQ queue, or the embedded default's local bus.

The queue is exclusive and auto-delete, named arena.live.<host>.<pid>.<random>, bound to arena.events with the routing
table's live keys (handlers.routing.live_keys): it lives as long as this instance's connection.
Messages are auto-acked: they are copies for sockets that resume from the log anyway. A
connection that drops may have lost events, so the hub is reset (every socket closes with 1012
and resumes with `after`) when the robust connection comes back.
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

import aio_pika
import structlog
from pydantic import ValidationError

from arena.bus.envelope import EventEnvelope
from arena.bus.topology import EVENTS, Topology
from arena.handlers.routing import LIVE_QUEUE_PREFIX, Consumer, live_keys
from arena.live.hub import LiveHub

log = structlog.get_logger("arena.live")
LOCAL = Consumer("live", "", every_event=True)  # the local bus hands it all; local_feed filters


class BrokerFeed:
    def __init__(self, url: str, hub: LiveHub, topology: Topology | None = None) -> None:
        self.url, self.hub, self.topology = url, hub, topology or Topology()
        self.connection: Any = None
        self.queue_name: str | None = None

    async def start(self) -> None:
        self.connection = await aio_pika.connect_robust(self.url)
        self.connection.reconnect_callbacks.add(self._reconnected)
        channel = await self.connection.channel()
        await channel.set_qos(prefetch_count=1000)
        # passive without ARENA_BROKER_DECLARE: the API's user may not configure the exchange
        exchange = await channel.declare_exchange(self.topology.name(EVENTS), aio_pika.ExchangeType.TOPIC,
                                                  durable=True, passive=not self.topology.declare)
        name = self.topology.name(f"{LIVE_QUEUE_PREFIX}{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        queue = await channel.declare_queue(name, exclusive=True, auto_delete=True)
        for key in live_keys():
            await queue.bind(exchange, key)
        await queue.consume(self._on_message, no_ack=True)
        self.queue_name = queue.name

    async def stop(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        try:
            envelope = EventEnvelope.model_validate_json(message.body)
        except ValidationError:
            log.warning("live feed dropped a malformed message", message_id=message.message_id)
            return
        self.hub.feed(envelope)

    def _reconnected(self, *_: Any) -> None:
        log.warning("live feed reconnected: its sockets resume from the log")
        self.hub.reset()


def local_feed(hub: LiveHub):
    """The local bus's handler: its thread hands each streamed event to the hub's loop."""
    keys = frozenset(live_keys())

    def handle(envelope: EventEnvelope) -> None:
        if envelope.routing_key in keys:
            hub.feed_threadsafe(envelope)

    return handle
