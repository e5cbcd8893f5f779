"""Spans for the two bus paths that skip FastStream's per-message pipeline, and with it the
broker's RabbitTelemetryMiddleware: the relay's publish and the consumer's delivery.

A trace then reads: API request -> "<exchange>.<routing key> publish" (relay) ->
"<queue> process" (consumer) -> whatever the handler does, events it appends included (they
store the consumer span's traceparent). Attributes follow FastStream's, so both look alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

_tracer = trace.get_tracer("arena.bus")  # a proxy: follows the provider the process sets later


@contextmanager
def publishing(exchange: str, routing_key: str, headers: MutableMapping[str, Any]) -> Iterator[None]:
    """Around one relay publish: a PRODUCER span under the trace `headers` carry, whose own
    context replaces theirs, so the consumers' spans hang under it. No trace, no span."""
    if "traceparent" not in headers:
        yield
        return
    with _tracer.start_as_current_span(f"{exchange}.{routing_key} publish", kind=SpanKind.PRODUCER,
                                       context=propagate.extract(headers)) as span:
        if span.is_recording():
            span.set_attributes({"messaging.system": "rabbitmq", "messaging.operation": "publish",
                                 "messaging.destination.name": exchange,
                                 "messaging.rabbitmq.destination.routing_key": routing_key})
            propagate.inject(headers)
        yield


@contextmanager
def processing(queue: str, message: Any) -> Iterator[None]:
    """Around one delivery (an aio-pika message): a CONSUMER span, current while the handler
    runs, under the trace the message carries (a new trace if it carries none)."""
    headers: Mapping[str, Any] = message.headers or {}
    parent = propagate.extract(headers) if "traceparent" in headers else None
    with _tracer.start_as_current_span(f"{queue} process", kind=SpanKind.CONSUMER, context=parent) as span:
        if span.is_recording():
            span.set_attributes({
                "messaging.system": "rabbitmq", "messaging.operation": "process",
                "messaging.destination.name": queue,
                "messaging.message.id": message.message_id or "",
                "messaging.message.conversation_id": message.correlation_id or "",
                "messaging.message.payload_size_bytes": len(message.body),
                "messaging.rabbitmq.destination.routing_key": message.routing_key or "",
                "messaging.rabbitmq.message.delivery_tag": message.delivery_tag or 0})
        yield
