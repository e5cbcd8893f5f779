"""`arena dlq list` and `arena dlq replay`: look at and resend what ended in arena.dlq.

RabbitMQ queues cannot be browsed, so listing takes messages without acking them and gives them
back afterwards. Replaying resends a dead letter to the queue it failed in, as a fresh first
attempt, waits for the broker's confirm, and only then removes it from the DLQ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arena.bus.delayed import ROUTING_KEY
from arena.bus.failures import ATTEMPT, ERROR, ORIGINAL_QUEUE, ORIGINAL_ROUTING_KEY
from arena.bus.publish import carried_headers, publish_confirmed
from arena.bus.topology import REQUEUE, Topology

if TYPE_CHECKING:
    from aio_pika.abc import AbstractIncomingMessage
    from faststream.rabbit import RabbitBroker

REPLAYED = "x-replayed"


@dataclass(frozen=True)
class DeadLetter:
    message_id: str | None
    routing_key: str | None
    queue: str | None
    error: str | None
    attempt: int | None
    failed_at: str | None
    body: bytes


def dead_letter(message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers or {}
    # Our consumer names the origin explicitly; a message the broker itself dead-lettered (past a
    # queue's delivery limit) only has x-death to say where it came from.
    death = (headers.get("x-death") or [{}])[0]
    routing_keys = death.get("routing-keys") or [None]
    return DeadLetter(
        message_id=message.message_id,
        routing_key=headers.get(ORIGINAL_ROUTING_KEY) or headers.get(ROUTING_KEY) or routing_keys[0],
        queue=headers.get(ORIGINAL_QUEUE) or death.get("queue"),
        error=headers.get(ERROR) or (f"dead-lettered by RabbitMQ: {death['reason']}" if death else None),
        attempt=int(headers[ATTEMPT]) if ATTEMPT in headers else None,
        failed_at=headers.get("x-failed-at"),
        body=message.body,
    )


async def list_dead_letters(broker: RabbitBroker, *, topology: Topology | None = None,
                            limit: int = 100) -> list[DeadLetter]:
    """The first `limit` dead letters, oldest first; the DLQ is left as it was."""
    taken = await _take(broker, topology or Topology(), limit)
    try:
        return [dead_letter(message) for message in taken]
    finally:
        for message in taken:
            await message.nack(requeue=True)


async def replay_dead_letters(broker: RabbitBroker, *, topology: Topology | None = None,
                              message_id: str | None = None, replay_all: bool = False,
                              limit: int = 100_000) -> int:
    """Resend the dead letter `message_id`, or every one with `replay_all`; return how many."""
    if (message_id is None) == (not replay_all):
        raise ValueError("give either a message id or replay_all=True")
    topology = topology or Topology()
    taken = await _take(broker, topology, limit)
    replayed = 0
    try:
        for message in taken:
            if replay_all or message.message_id == message_id:
                await _replay(broker, topology, message)
                await message.ack()
                replayed += 1
    finally:
        for message in taken:
            if not message.processed:
                await message.nack(requeue=True)
    return replayed


async def _replay(broker: RabbitBroker, topology: Topology, message: AbstractIncomingMessage) -> None:
    letter = dead_letter(message)
    if not letter.queue:
        raise ValueError(f"dead letter {letter.message_id!r} does not say which queue it came from")
    headers = carried_headers(message.headers, **{
        ROUTING_KEY: letter.routing_key, REPLAYED: int((message.headers or {}).get(REPLAYED, 0)) + 1,
        ATTEMPT: None, ERROR: None, ORIGINAL_QUEUE: None, ORIGINAL_ROUTING_KEY: None,
        "x-failed-at": None})
    await publish_confirmed(broker, message.body, exchange=topology.exchange(REQUEUE),
                            routing_key=letter.queue, message_id=message.message_id,
                            headers=headers, content_type=message.content_type,
                            correlation_id=message.correlation_id)


async def _take(broker: RabbitBroker, topology: Topology, limit: int) -> list[AbstractIncomingMessage]:
    """Up to `limit` messages from the DLQ, held unacked so none is handed out twice."""
    await broker.connect()
    queue = await broker.declare_queue(topology.dlq())
    taken: list[Any] = []
    while len(taken) < limit and (message := await queue.get(no_ack=False, fail=False)):
        taken.append(message)
    return taken
