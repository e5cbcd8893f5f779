"""Correlation that travels with every event: the request id of the API call (or of the message
being handled) and the W3C trace context, stored as `meta` on the events a command appends; the
relay turns it into message headers, consumers bind it again (arena.bus.consumer)."""

from __future__ import annotations

import structlog
from opentelemetry.propagate import inject


def current_meta() -> dict[str, str]:
    meta: dict[str, str] = {}
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        meta["request_id"] = str(request_id)
    inject(meta)  # adds traceparent (and tracestate) when a span is active
    return meta
