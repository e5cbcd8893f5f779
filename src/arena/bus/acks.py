"""Acks of one channel's deliveries, coalesced without acking anything early.

RabbitMQ numbers a channel's deliveries 1, 2, 3, ... and `ack(tag, multiple=True)` settles
every outstanding delivery up to `tag`. So one ack may cover a run of consecutive tags only once
every message of the run is settled (its effect committed, or nacked). A message that finishes
above a gap (an earlier one is still in its handler) is acked alone at once: it never waits on
another message, and never holds a prefetch slot because of one.

Acks go out from one task per channel, a loop turn after the handler returned: handlers
finishing in the same turn share one frame, which under load is most of them. Nacks are rare
and go out at once, alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from aio_pika.abc import AbstractIncomingMessage

log = structlog.get_logger(__name__)


class ChannelAcks:
    def __init__(self, channel: Any, hold: Callable[[], AbstractContextManager[Any]] = nullcontext) -> None:
        self.channel = channel  # the (aiormq) channel the deliveries came on: tags are its own
        self.hold = hold  # held while acks are being sent: the subscriber's lock, so stop waits
        self.floor = 0  # every tag up to here is settled on the wire
        self.pending: dict[int, AbstractIncomingMessage] = {}  # effect committed, ack not sent yet
        self.on_wire: set[int] = set()  # above the floor, settled alone (acked or nacked)
        self.sending: asyncio.Task[None] | None = None

    def ack(self, message: AbstractIncomingMessage) -> None:
        """Ack `message` (its effect has committed) in the next flush, at most a loop turn away."""
        self.pending[_tag(message)] = message
        if self.sending is None:  # starts after this loop turn: handlers finishing in it join
            self.sending = asyncio.get_running_loop().create_task(self._send())

    async def nack(self, message: AbstractIncomingMessage, *, requeue: bool) -> None:
        await message.nack(requeue=requeue)
        self.on_wire.add(_tag(message))

    async def sent(self) -> None:
        """Until every ack so far is on the wire (or failed with its channel)."""
        while self.sending is not None:
            await asyncio.shield(self.sending)

    async def _send(self) -> None:
        try:
            with self.hold():
                while await self._flush_once():
                    pass
        except Exception:  # the channel is gone: RabbitMQ redelivers whatever was not acked
            log.warning("bus.acks.failed", exc_info=True)
        finally:
            self.sending = None

    async def _flush_once(self) -> bool:
        run_end: AbstractIncomingMessage | None = None
        tag = self.floor + 1
        while True:  # the run of consecutive settled tags above the floor
            if (message := self.pending.pop(tag, None)) is not None:
                run_end = message
            elif tag in self.on_wire:
                self.on_wire.remove(tag)
            else:
                break
            tag += 1
        self.floor = tag - 1
        alone, self.pending = list(self.pending.values()), {}  # above a gap
        self.on_wire.update(_tag(message) for message in alone)
        if run_end is not None:  # the last unacked one of the run: covers every one before it
            await run_end.ack(multiple=True)
        for message in alone:
            await message.ack()
        return run_end is not None or bool(alone)


def _tag(message: AbstractIncomingMessage) -> int:
    tag = message.delivery_tag
    if tag is None:
        raise ValueError("a message taken with no_ack has nothing to ack")
    return tag
