"""Trace and log correlation on the bus paths that skip FastStream's pipeline: the relay opens
the publish span and the consumer the process span themselves, on real RabbitMQ."""

from __future__ import annotations

from collections.abc import Iterator

import aio_pika
import pytest
import structlog
from faststream.rabbit import RabbitBroker
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from arena.bus.consumer import subscribe
from arena.bus.publish import publish_confirmed
from arena.bus.relay import Relay
from arena.bus.topology import EVENTS, Topology, declare
from bus_messages import Ping, until
from test_bus_relay import drain, relay_until_caught_up

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_SPAN_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Record spans through the process-wide provider (OpenTelemetry allows setting it once)."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # the processor stays registered but exports nothing more


async def test_the_relay_publish_span_continues_the_request_trace_and_travels_with_the_event(
        log, engine, topology: Topology, brokers, channel: aio_pika.abc.AbstractChannel,
        spans: InMemorySpanExporter) -> None:
    log.draft_battles(1)
    broker: RabbitBroker = brokers()
    await broker.connect()
    await declare(broker, topology)
    relay = Relay(log, engine, broker, topology=topology,
                  headers=lambda envelope: {"request_id": "req-7", "traceparent": TRACEPARENT})

    await relay_until_caught_up(relay)

    [message] = await drain(channel, topology.name("arena.projections"))
    [publish] = [s for s in spans.get_finished_spans() if s.kind is SpanKind.PRODUCER]
    assert publish.name == f"publish {topology.name(EVENTS)}"  # the messaging conventions' name
    assert publish.attributes["messaging.rabbitmq.destination.routing_key"] == "battle.created"
    assert format(publish.context.trace_id, "032x") == TRACE_ID
    assert format(publish.parent.span_id, "016x") == PARENT_SPAN_ID
    # the consumer's span will hang under the publish span, not beside it
    assert message.headers["traceparent"] == f"00-{TRACE_ID}-{format(publish.context.span_id, '016x')}-01"


async def test_the_handler_runs_inside_a_process_span_of_the_message_trace_with_its_request_id(
        topology: Topology, brokers, spans: InMemorySpanExporter) -> None:
    seen: list[tuple[str, str, dict, object]] = []
    broker: RabbitBroker = brokers()

    async def handle(ping: Ping) -> None:
        span = trace.get_current_span()
        seen.append((format(span.get_span_context().trace_id, "032x"), span.name,
                     structlog.contextvars.get_contextvars(), broker.context.get_local("message")))

    subscribe(broker, "arena.projections", handle, Ping, topology=topology)
    await broker.connect()
    await declare(broker, topology)
    await broker.start()
    await publish_confirmed(broker, b'{"n": 1}', exchange=topology.exchange(EVENTS),
                            routing_key="battle.started", message_id="m:1",
                            headers={"request_id": "req-9", "traceparent": TRACEPARENT})
    await until(lambda: len(seen) == 1)

    [(trace_id, name, logged, faststream_message)] = seen
    assert faststream_message is None  # the fast path: FastStream's pipeline never saw it
    assert trace_id == TRACE_ID
    assert name == f"process {topology.name('arena.projections')}"
    assert (logged["request_id"], logged["message_id"]) == ("req-9", "m:1")
    [process] = [s for s in spans.get_finished_spans() if s.kind is SpanKind.CONSUMER]
    assert process.attributes["messaging.message.id"] == "m:1"
