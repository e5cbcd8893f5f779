"""OpenTelemetry: one tracer provider per process. Spans always exist (so the W3C trace context
is stored with events and travels through the bus); ARENA_OTEL_EXPORTER=console prints them."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

from arena.settings import ArenaSettings


def configure_tracing(settings: ArenaSettings, process: str) -> None:
    """Called once by each process's command (serve, relay, worker, judge); the provider is
    process-wide by OpenTelemetry's design."""
    provider = TracerProvider(resource=Resource.create({"service.name": f"arena-{process}"}))
    if settings.otel_exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
