"""Issue 12, findings 6 and 7, the parts with no I/O: which exporter the OTEL_* variables choose,
trace ids on log lines, and the sampled gauges' behaviour when a source fails."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from arena.logging import add_trace_ids
from arena.metrics import Highest, Sampled, status_class
from arena.settings import ArenaSettings
from arena.telemetry import TelemetryError, exporter_names, load_exporter

NONE = ArenaSettings(otel_exporter="none")


def test_no_otel_variable_means_no_exporter() -> None:
    assert exporter_names(NONE, {}) == []


def test_an_otlp_endpoint_alone_means_otlp_over_http_protobuf() -> None:
    assert exporter_names(NONE, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}) == ["otlp_proto_http"]
    assert exporter_names(NONE, {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}) == ["otlp_proto_http"]


def test_otel_traces_exporter_wins_and_otlp_follows_the_protocol_variable() -> None:
    env = {"OTEL_TRACES_EXPORTER": "otlp,console", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
           "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}
    assert exporter_names(NONE, env) == ["otlp_proto_grpc", "console"]
    assert exporter_names(ArenaSettings(otel_exporter="console"), {"OTEL_TRACES_EXPORTER": "none"}) == []


def test_arena_otel_exporter_console_still_means_console() -> None:
    assert exporter_names(ArenaSettings(otel_exporter="console"), {}) == ["console"]


def test_an_unknown_protocol_or_exporter_is_a_clear_error() -> None:
    with pytest.raises(TelemetryError, match="OTEL_EXPORTER_OTLP_PROTOCOL"):
        exporter_names(NONE, {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "carrier-pigeon"})
    with pytest.raises(TelemetryError, match="no traces exporter 'zipkin-nope' is installed"):
        load_exporter("zipkin-nope")


def test_the_console_and_otlp_http_exporters_are_installed() -> None:
    assert type(load_exporter("console")).__name__ == "ConsoleSpanExporter"
    assert type(load_exporter("otlp_proto_http")).__name__ == "OTLPSpanExporter"


def test_a_log_line_inside_a_span_carries_its_trace_and_span_ids_even_unsampled() -> None:
    tracer = TracerProvider(sampler=ALWAYS_OFF).get_tracer("test")  # what "no exporter" runs
    with tracer.start_as_current_span("work") as span:
        line = add_trace_ids(None, "info", {"event": "x"})
    context = span.get_span_context()
    assert line["trace_id"] == format(context.trace_id, "032x") and context.trace_id != 0
    assert line["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in add_trace_ids(None, "info", {"event": "outside"})


def test_a_sampled_gauge_leaves_out_a_failing_source_and_keeps_the_others() -> None:
    gauge = Sampled("test_lag", "a lag", "reader")
    gauge.watch("relay", lambda: {"relay": 2})
    gauge.watch("relay", lambda: {"relay": 3})  # replaces the first
    gauge.watch("broken", lambda: 1 / 0)
    gauge.mark("projections", 0)
    [family] = gauge.collect()
    assert {sample.labels["reader"]: sample.value for sample in family.samples} == {"relay": 3.0, "projections": 0.0}


def test_a_dependency_guard_hook_reports_up_as_1_and_down_as_0() -> None:
    from arena.metrics import DEPENDENCY_UP, watch_dependencies

    watch_dependencies(lambda: {"database": True, "broker": False})
    try:
        [family] = DEPENDENCY_UP.collect()
        found = {sample.labels["dependency"]: sample.value for sample in family.samples}
        assert (found["database"], found["broker"]) == (1.0, 0.0)
    finally:
        DEPENDENCY_UP.clear()


def test_the_highest_position_only_rises() -> None:
    seen = Highest()
    for notification_id in (5, None, 3, 9, 7):
        seen.saw(notification_id)
    assert seen.value == 9


def test_status_classes_are_a_bounded_set() -> None:
    assert [status_class(s) for s in (200, 201, 302, 404, 431, 503, 0, 999)] == \
        ["2xx", "2xx", "3xx", "4xx", "4xx", "5xx", "other", "other"]

