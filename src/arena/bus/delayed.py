"""Delayed messages without a broker plugin: a ladder of fixed-TTL quorum queues.

A message due at time T enters the longest tier that fits in what remains (arena.delay, header
arena-delay-tier), expires there, and is dead-lettered back to its destination queue through
arena.requeue. The consumer wrapper (arena.bus.consumer) sees x-deliver-at still in the future
and sends it down the ladder again for the rest, so a 300 s delay is a few hops (120+120+30+30 s)
and delivery is never early, at most one short tier late. Every tier holds a single TTL, so a
long delay never holds up a short one queued behind it (no head-of-line blocking).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from arena.bus.publish import carried_headers, publish_confirmed
from arena.bus.topology import DELAY, REQUEUE, TIER_HEADER, Topology

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

DELIVER_AT = "x-deliver-at"  # epoch milliseconds at which the message is due
ROUTING_KEY = "x-routing-key"  # the logical routing key; the transport one is the queue's name


def now_ms() -> int:
    return int(time.time() * 1000)


def remaining_ms(headers: Mapping[str, Any] | None) -> int:
    """How long a message must still wait (0 or less: it is due)."""
    deliver_at = (headers or {}).get(DELIVER_AT)
    return int(deliver_at) - now_ms() if deliver_at is not None else 0


def encode(body: bytes | BaseModel | Mapping[str, Any]) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, BaseModel):
        return body.model_dump_json().encode()
    return json.dumps(body, default=str).encode()


async def schedule(broker: RabbitBroker, routing_key: str, body: bytes | BaseModel | Mapping[str, Any],
                   delay_s: float, message_id: str, *, queue: str = "arena.timers",
                   topology: Topology | None = None,
                   headers: Mapping[str, Any] | None = None) -> None:
    """Deliver `body` to the consumer queue `queue` (arena.timers by default) after `delay_s`.

    `routing_key` names the kind of message for its handler (Delivery.routing_key); make
    `message_id` deterministic (e.g. "leave-check:<room player id>:<version>") so a timer
    scheduled twice is recognised as one by an idempotent handler.
    """
    topology = topology or Topology()
    topology.consumer_queue(queue)  # refuse a queue the topology does not have, before sending
    await send_until(broker, topology, topology.name(queue), encode(body),
                     now_ms() + round(delay_s * 1000), message_id,
                     headers=carried_headers(headers, **{ROUTING_KEY: routing_key}))


async def send_until(broker: RabbitBroker, topology: Topology, queue_name: str, body: bytes,
                     deliver_at_ms: int, message_id: str | None, *,
                     headers: Mapping[str, Any] | None = None,
                     content_type: str | None = "application/json",
                     correlation_id: str | None = None) -> None:
    """Send `body` towards the queue named `queue_name` (full name), due at `deliver_at_ms`."""
    remaining = deliver_at_ms - now_ms()
    headers = carried_headers(headers, **{DELIVER_AT: deliver_at_ms, TIER_HEADER: None})
    if remaining <= 0:  # already due: straight to the queue, by the same door the ladder uses
        await publish_confirmed(broker, body, exchange=topology.exchange(REQUEUE),
                                routing_key=queue_name, message_id=message_id, headers=headers,
                                content_type=content_type, correlation_id=correlation_id)
        return
    headers[TIER_HEADER] = str(topology.tier_for(remaining))
    await publish_confirmed(broker, body, exchange=topology.exchange(DELAY), routing_key=queue_name,
                            message_id=message_id, headers=headers, content_type=content_type,
                            correlation_id=correlation_id)
