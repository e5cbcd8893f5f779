"""Spans of the bus, named by OpenTelemetry's messaging conventions: `publish <exchange>`
(PRODUCER) and `process <queue>` (CONSUMER), the routing key an attribute, never in the name.

arena opens them itself: the relay and the consumer skip FastStream's per-message pipeline (and
with it the broker's telemetry middleware, whose names follow the older `<destination> publish`
form), and so does every other publish (publish_confirmed), for one naming everywhere.

A trace then reads: API request -> "publish arena.events" (relay) -> "process <queue>"
(consumer) -> whatever the handler does: events it appends store the consumer span's
traceparent, messages it publishes hang a "publish <exchange>" under it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

_tracer = trace.get_tracer("arena.bus")  # a proxy: follows the provider the process sets later


@contextmanager
def publishing(exchange: str, routing_key: str, headers: MutableMapping[str, Any],
               *, under_current: bool = False) -> Iterator[None]:
    """Around one publish: a PRODUCER span whose context replaces the one `headers` carry, so
    the consumers' spans hang under it. Its parent is the trace `headers` carry (the relay: the
    API request that appended the event) or, with `under_current`, the span current here if there
    is one (a handler publishing on). No trace either way, no span."""
    current = trace.get_current_span().get_span_context().is_valid if under_current else False
    if not current and "traceparent" not in headers:
        yield
        return
    parent = otel_context.get_current() if current else propagate.extract(headers)
    with _tracer.start_as_current_span(f"publish {exchange}", kind=SpanKind.PRODUCER, context=parent) as span:
        if span.is_recording():
            span.set_attributes({"messaging.system": "rabbitmq", "messaging.operation.name": "publish",
                                 "messaging.operation.type": "send",
                                 "messaging.destination.name": exchange,
                                 "messaging.rabbitmq.destination.routing_key": routing_key})
        propagate.inject(headers)  # not sampled travels too: downstream does not record either
        yield


@contextmanager
def processing(queue: str, message: Any) -> Iterator[None]:
    """Around one delivery (an aio-pika message): a CONSUMER span, current while the handler
    runs, under the trace the message carries (a new trace if it carries none)."""
    headers: Mapping[str, Any] = message.headers or {}
    parent = propagate.extract(headers) if "traceparent" in headers else None
    with _tracer.start_as_current_span(f"process {queue}", kind=SpanKind.CONSUMER, context=parent) as span:
        if span.is_recording():
            span.set_attributes({
                "messaging.system": "rabbitmq", "messaging.operation.name": "process",
                "messaging.operation.type": "process",
                "messaging.destination.name": queue,
                "messaging.message.id": message.message_id or "",
                "messaging.message.conversation_id": message.correlation_id or "",
                "messaging.message.body.size": len(message.body),
                "messaging.rabbitmq.destination.routing_key": message.routing_key or "",
                "messaging.rabbitmq.message.delivery_tag": message.delivery_tag or 0})
        yield
