"""One way to put a message on RabbitMQ and know it is there: publisher confirms, persistent.

`publish_confirmed` goes through FastStream's publish pipeline (its middlewares see it);
`publish_on_exchange` is the relay's hot path: straight onto an exchange the broker declared on
its own confirm channel, with the same guarantees and no per-message framework work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aio_pika
import aiormq

from arena.bus.telemetry import publishing

if TYPE_CHECKING:
    from aio_pika.abc import AbstractExchange
    from faststream.rabbit import RabbitBroker, RabbitExchange

# Broker-set headers that describe an earlier hop; copying them onto a new message would only
# grow it (x-death gains an entry per hop) and confuse the next reader.
BROKER_HEADERS = frozenset({"x-death", "x-first-death-exchange", "x-first-death-queue",
                            "x-first-death-reason", "x-last-death-exchange", "x-last-death-queue",
                            "x-last-death-reason", "x-delivery-count"})


class NotRouted(RuntimeError):
    """RabbitMQ confirmed the message but no queue took it (a topology mistake, not a blip)."""


class NotConfirmed(RuntimeError):
    """The channel has publisher confirms off, so nothing says the broker has the message."""


def carried_headers(headers: Mapping[str, Any] | None, **changes: Any) -> dict[str, Any]:
    """The headers to send on: ours kept, the broker's bookkeeping dropped, `changes` applied."""
    kept = {k: v for k, v in (headers or {}).items() if k not in BROKER_HEADERS}
    kept.update(changes)
    return {k: v for k, v in kept.items() if v is not None}


async def publish_confirmed(
    broker: RabbitBroker,
    body: bytes,
    *,
    exchange: RabbitExchange,
    routing_key: str,
    message_id: str | None,
    headers: Mapping[str, Any] | None = None,
    content_type: str | None = "application/json",
    correlation_id: str | None = None,
    must_route: bool = True,
) -> None:
    """Publish and wait for the broker's confirm; raise if it was refused or, when `must_route`,
    if no queue took it. The broker's default channel has confirms on (FastStream's default)."""
    sent_headers = dict(headers or {})
    with publishing(exchange.name, routing_key, sent_headers, under_current=True):
        result = await broker.publish(
            body, exchange=exchange, routing_key=routing_key, persist=True, message_id=message_id,
            headers=sent_headers, content_type=content_type, correlation_id=correlation_id,
            mandatory=must_route)
    # An ack is the confirm; a returned (unroutable) message comes back instead of the ack.
    if must_route and not isinstance(result, aiormq.spec.Basic.Ack):
        raise NotRouted(f"no queue bound for {routing_key!r} on {exchange.name!r}")


async def publish_on_exchange(
    exchange: AbstractExchange,
    body: bytes,
    *,
    routing_key: str,
    message_id: str | None,
    headers: Mapping[str, Any] | None = None,
    content_type: str | None = "application/json",
    correlation_id: str | None = None,
) -> None:
    """Publish persistently on an exchange object (from `await broker.declare_exchange(...)`,
    i.e. on the broker's default channel) and wait for the broker's confirm.

    Unroutable messages are dropped by the broker (no `mandatory`): that is the relay's choice,
    an event nobody subscribed to is not an error. A nack raises aio_pika's DeliveryError."""
    confirm = await exchange.publish(
        aio_pika.Message(body, headers=dict(headers or {}), content_type=content_type,
                         delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=message_id,
                         correlation_id=correlation_id),
        routing_key=routing_key, mandatory=False)
    if not isinstance(confirm, aiormq.spec.Basic.Ack):  # None: the channel does not confirm
        raise NotConfirmed(f"no publisher confirm on {exchange.name!r}: open it with confirms on")
