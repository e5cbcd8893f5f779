"""OpenTelemetry: one tracer provider per process, configured by the SDK's own OTEL_* variables.

Which exporter: OTEL_TRACES_EXPORTER (`otlp`, `console`, `none`, or any name an installed package
registers under the SDK's `opentelemetry_traces_exporter` entry points), as the SDK's
auto-configuration reads it; `otlp` speaks OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL, http/protobuf
unless set (the exporter installed with arena). Unset, setting OTEL_EXPORTER_OTLP_ENDPOINT (or its
_TRACES_ form) means `otlp`, and ARENA_OTEL_EXPORTER=console means `console`. The exporters and
the batch processor read the rest themselves (OTEL_EXPORTER_OTLP_*, OTEL_BSP_*), the provider
reads OTEL_TRACES_SAMPLER, OTEL_SDK_DISABLED, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.

With no exporter, spans are not recorded (sampler always_off unless OTEL_TRACES_SAMPLER says
otherwise) but still exist as contexts: the W3C trace context is stored with events and travels
through the bus, and log lines carry trace_id and span_id; only the recording, which nobody would
read, is saved (bench/telemetry_cost.py). A trace started in such a process is marked not
sampled, so its downstream processes do not record it either: turn exporting on everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.metadata import entry_points

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from arena.config_errors import ConfigurationError
from arena.settings import ArenaSettings

ENTRY_POINTS = "opentelemetry_traces_exporter"
OTLP_BY_PROTOCOL = {"http/protobuf": "otlp_proto_http", "grpc": "otlp_proto_grpc"}


class TelemetryError(ConfigurationError):
    """An OTEL_* variable names something that is not there: the operator's to fix."""


def exporter_names(settings: ArenaSettings, env: Mapping[str, str] = os.environ) -> list[str]:
    """The traces exporters' entry-point names the environment asks for ([] for none)."""
    names = env.get("OTEL_TRACES_EXPORTER")
    if names is None:
        if env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
            names = "otlp"
        else:
            names = "console" if settings.otel_exporter == "console" else "none"
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    if chosen == ["none"]:
        return []
    resolved = []
    for name in chosen:
        if name == "otlp":
            protocol = (env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL")
                        or "http/protobuf").strip()
            if protocol not in OTLP_BY_PROTOCOL:
                raise TelemetryError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: use one of {sorted(OTLP_BY_PROTOCOL)}")
            name = OTLP_BY_PROTOCOL[protocol]
        resolved.append(name)
    return resolved


def load_exporter(name: str) -> SpanExporter:
    found = entry_points(group=ENTRY_POINTS, name=name)
    if not found:
        installed = sorted(point.name for point in entry_points(group=ENTRY_POINTS))
        raise TelemetryError(f"OTEL_TRACES_EXPORTER: no traces exporter {name!r} is installed "
                             f"(installed: {', '.join(installed)})")
    return next(iter(found)).load()()


def configure_tracing(settings: ArenaSettings, process: str) -> None:
    """Called once by each process's command (serve, relay, worker, judge); the provider is
    process-wide by OpenTelemetry's design."""
    exporters = [load_exporter(name) for name in exporter_names(settings)]
    attributes = {"arena.process": process}
    if not os.environ.get("OTEL_SERVICE_NAME"):  # the operator's name wins over ours
        attributes["service.name"] = f"arena-{process}"
    sampler = None if exporters or os.environ.get("OTEL_TRACES_SAMPLER") else ALWAYS_OFF
    provider = TracerProvider(resource=Resource.create(attributes), sampler=sampler)
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
