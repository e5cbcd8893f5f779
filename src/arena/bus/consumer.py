"""The one way arena consumes a queue: parse, handle, ack after the effect; retry or dead-letter.

- The body is parsed into the handler's pydantic model; a body that does not parse goes straight
  to arena.dlq (retrying it cannot help) with x-error, x-original-routing-key, x-original-queue.
- An event body is believed for its id and version only: `trust` (arena.bus.trust) swaps it for
  the event the store holds, and a message naming an event the store does not hold goes straight
  to arena.dlq. So does anything a handler refuses with `Rejected` (e.g. an unsigned verdict).
- The handler is awaited; the message is acked only after it returns, i.e. after its effect
  committed. A crash before that leaves it unacked and RabbitMQ redelivers it.
  Acks are coalesced per channel (arena.bus.acks): one frame for a run of finished messages,
  never covering one still in its handler, never holding one back behind a slow one.
- A handler exception sends a copy through the delay ladder back to this queue with x-attempt
  raised by one (delays grow along `delays`); after `max_attempts` it goes to arena.dlq with the
  error. The copy is confirmed before the original is acked: a crash in between duplicates,
  never loses. Either way the consumer carries on with the next message (arena.bus.failures).

Fast path: FastStream's per-message pipeline (context scopes, middlewares, FastDepends) cost
as much CPU as aio-pika itself. The subscriber stays FastStream's (its channel and prefetch, its
start, stop and graceful wait), but aio-pika hands each delivery straight to `_Consumer.deliver`.
What the pipeline did for us is done here, explicitly: the OpenTelemetry span
(arena.bus.telemetry, in place of the broker's telemetry middleware), structlog's request_id and
message_id, logging a failure, and counting each outcome (arena_messages_total, arena.metrics). The body is validated once with pydantic's JSON parser.
"""

from __future__ import annotations

import contextlib
import inspect
import time
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from faststream import AckPolicy
from faststream.rabbit.schemas import Channel
from opentelemetry import trace
from pydantic import TypeAdapter, ValidationError

from arena.bus.acks import ChannelAcks
from arena.bus.delayed import DELIVER_AT, ROUTING_KEY, now_ms, remaining_ms, send_until
from arena.bus.envelope import EventEnvelope
from arena.bus.failures import ATTEMPT, RetryPolicy, dead_letter, retry_headers
from arena.bus.telemetry import processing
from arena.bus.topology import Topology
from arena.bus.trust import Rejected, StoredEvents
from arena.metrics import EVENT_AGE, MESSAGE_SECONDS, MESSAGES

if TYPE_CHECKING:
    from aio_pika.abc import AbstractIncomingMessage
    from faststream.rabbit import RabbitBroker
    from faststream.rabbit.message import RabbitMessage
    from faststream.rabbit.subscriber import RabbitSubscriber

log = structlog.get_logger(__name__)

@dataclass(frozen=True)
class Delivery:
    """What a handler may want to know about the message besides its body."""

    queue: str
    routing_key: str  # the logical one: the event's "battle.started", a timer's own key
    message_id: str | None
    attempt: int
    headers: Mapping[str, Any] = field(repr=False)


def subscribe(broker: RabbitBroker, queue: str, handler: Callable[..., Awaitable[Any]],
              message_model: Any, *, max_attempts: int = 5,
              delays: tuple[float, ...] = RetryPolicy.delays, prefetch: int = 16,
              topology: Topology | None = None, trust: StoredEvents | None = None) -> RabbitSubscriber:
    """Consume the topology's queue `queue` with `handler(body)` or `handler(body, delivery)`.

    `message_model` is a pydantic model (or any type pydantic validates, e.g. a discriminated
    union). `prefetch` bounds how many messages are handled concurrently. Register before
    `broker.start()`, and declare the topology (arena.bus.topology.declare) before starting.
    A model that admits EventEnvelope needs `trust`: handlers only ever see stored events.
    """
    topology = topology or Topology()
    if trust is None and _admits_events(message_model):
        raise TypeError(f"{queue}: an event consumer needs trust=StoredEvents(...) "
                        "(arena.bus.trust): the bus carries copies, the store is true")
    consumer = _Consumer(broker, topology, queue, handler, TypeAdapter(message_model),
                         RetryPolicy(max_attempts, tuple(delays)), trust)

    async def consume(message: Any) -> None:  # untyped: nothing for FastDepends to validate
        await consumer.handle(message.raw_message)  # only if the fast path below is not taken

    subscriber = broker.subscriber(
        topology.consumer_queue(queue), channel=Channel(prefetch_count=prefetch),
        ack_policy=AckPolicy.MANUAL, decoder=_pass_through, no_reply=True)
    subscriber(consume)
    consumer.subscriber = subscriber
    # RabbitSubscriber.start() hands `self.consume` to aio-pika's Queue.consume: this instance
    # attribute makes that our own callback (tests/integration/bus checks it is taken).
    subscriber.consume = consumer.deliver  # type: ignore[method-assign]
    return subscriber


async def _pass_through(message: RabbitMessage) -> RabbitMessage:
    return message


def _admits_events(model: Any) -> bool:
    return model is EventEnvelope or EventEnvelope in typing.get_args(model)


class _Consumer:
    def __init__(self, broker: RabbitBroker, topology: Topology, queue: str,
                 handler: Callable[..., Awaitable[Any]], adapter: TypeAdapter[Any],
                 policy: RetryPolicy, trust: StoredEvents | None = None) -> None:
        self.broker = broker
        self.topology = topology
        self.queue = queue
        self.queue_name = topology.name(queue)
        self.handler = handler
        self.wants_delivery = len(inspect.signature(handler).parameters) >= 2
        self.adapter = adapter
        self.policy = policy
        self.trust = trust
        self.subscriber: RabbitSubscriber | None = None
        self._acks: ChannelAcks | None = None
        # Labelled once: a label lookup per message would cost more than the increment.
        self._outcomes = {outcome: MESSAGES.labels(queue, outcome)
                          for outcome in ("ok", "retry", "dead", "rejected", "malformed", "early")}
        self._seconds = MESSAGE_SECONDS.labels(queue)
        self._event_age = EVENT_AGE.labels(queue)

    async def deliver(self, raw: AbstractIncomingMessage) -> None:
        """aio-pika's callback, once per delivery: FastStream's pipeline is not involved."""
        subscriber = self.subscriber
        if subscriber is None or not subscriber.running:  # stopping: hand it back, leave no gap
            with contextlib.suppress(Exception):  # channel already closing: requeued anyway
                await self._acks_for(raw).nack(raw, requeue=True)
            return
        with subscriber.lock:  # broker.stop() waits for these (its graceful_timeout)
            try:
                await self.handle(raw)
            except Exception:  # the nack failed too: the channel is gone, RabbitMQ redelivers
                log.exception("bus.consumer.settle_failed", queue=self.queue, message_id=raw.message_id)

    async def handle(self, raw: AbstractIncomingMessage) -> None:
        headers = dict(raw.headers or {})
        with processing(self.queue_name, raw):
            try:
                if DELIVER_AT in headers and remaining_ms(headers) > 0:
                    await self._resend(raw, headers, int(headers[DELIVER_AT]))  # early: wait on
                    self._outcomes["early"].inc()
                else:
                    await self._process(raw, headers)
            except Exception:
                # Could not even re-route it (broker trouble): give it back; RabbitMQ redelivers
                # it and, past the queue's delivery limit, dead-letters it itself.
                log.exception("bus.consumer.reroute_failed", queue=self.queue, message_id=raw.message_id)
                await self._acks_for(raw).nack(raw, requeue=True)
                return
        self._acks_for(raw).ack(raw)

    def _lock(self) -> Any:
        return self.subscriber.lock if self.subscriber is not None else contextlib.nullcontext()

    def _acks_for(self, raw: AbstractIncomingMessage) -> ChannelAcks:
        # Delivery tags are per channel; after a reconnect the subscriber has a new one.
        current = self._acks
        if current is None or (current.channel is not raw.channel and current.channel.is_closed):
            current = self._acks = ChannelAcks(raw.channel, hold=self._lock)
        if current.channel is not raw.channel:  # a late one from a channel that is gone
            return ChannelAcks(raw.channel)  # its ack fails, and RabbitMQ redelivers it
        return current

    async def _process(self, raw: Any, headers: dict[str, Any]) -> None:
        routing_key = str(headers.get(ROUTING_KEY) or raw.routing_key)
        try:
            body = self.adapter.validate_json(raw.body)
        except Exception as exc:  # parsing is pure: whatever failed will fail every time
            reason = str(exc) if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
            log.warning("bus.consumer.malformed", queue=self.queue, message_id=raw.message_id)
            await self._dead_letter(raw, headers, routing_key, f"malformed message: {reason}")
            self._outcomes["malformed"].inc()
            return
        attempt = int(headers.get(ATTEMPT, 1))
        delivery = Delivery(self.queue, routing_key, raw.message_id, attempt, headers)
        started = time.perf_counter()
        try:
            if isinstance(body, EventEnvelope):
                self._event_age.observe(max(0.0, time.time() - body.timestamp.timestamp()))
                if self.trust is not None:
                    body = await self.trust.trusted(body)  # the store's copy, or Rejected
            # Every log line of the handler carries the request that caused this message.
            with structlog.contextvars.bound_contextvars(
                    request_id=headers.get("request_id"), message_id=raw.message_id):
                await (self.handler(body, delivery) if self.wants_delivery else self.handler(body))
            self._outcomes["ok"].inc()
        except Rejected as exc:
            await self._reject(raw, headers, routing_key, exc)
            self._outcomes["rejected"].inc()
        except Exception as exc:
            trace.get_current_span().record_exception(exc)
            error = f"{type(exc).__name__}: {exc}"
            if attempt >= self.policy.max_attempts:
                log.error("bus.consumer.gave_up", queue=self.queue, message_id=raw.message_id,
                          routing_key=routing_key, attempt=attempt, error=error)
                await self._dead_letter(raw, headers, routing_key, error)
                self._outcomes["dead"].inc()
                return
            delay_ms = round(self.policy.delay_after(attempt) * 1000)
            log.warning("bus.consumer.retry", queue=self.queue, message_id=raw.message_id,
                        routing_key=routing_key, attempt=attempt, delay_ms=delay_ms, error=error)
            await self._resend(raw, retry_headers(headers, routing_key, attempt, delay_ms, error),
                               now_ms() + delay_ms)
            self._outcomes["retry"].inc()
        finally:
            self._seconds.observe(time.perf_counter() - started)

    async def _reject(self, raw: Any, headers: dict[str, Any], routing_key: str, exc: Rejected) -> None:
        log.warning("bus.consumer.rejected", queue=self.queue, message_id=raw.message_id,
                    routing_key=routing_key, reason=str(exc))
        await self._dead_letter(raw, headers, routing_key, f"rejected: {exc}")

    async def _resend(self, raw: Any, headers: dict[str, Any], deliver_at_ms: int) -> None:
        await send_until(self.broker, self.topology, self.queue_name, raw.body, deliver_at_ms,
                         raw.message_id, headers=headers, content_type=raw.content_type,
                         correlation_id=raw.correlation_id)

    async def _dead_letter(self, raw: Any, headers: dict[str, Any], routing_key: str, error: str) -> None:
        await dead_letter(self.broker, self.topology, raw, headers, routing_key, self.queue_name, error)
