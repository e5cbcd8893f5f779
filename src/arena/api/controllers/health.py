"""Liveness and readiness."""

from __future__ import annotations

from litestar import Response, get
from sqlalchemy import text

from arena.api.problem_details import problem_response
from arena.api.response_models import HealthView, ReadyView
from arena.bootstrap import Arena


@get("/health", tags=["health"])
async def health() -> HealthView:
    """Live: the process answers."""
    return {"status": "ok"}


@get("/ready", tags=["health"], sync_to_thread=True)
def ready(arena: Arena) -> Response[ReadyView]:
    """Ready: the event store and the read-model database answer."""
    checks: dict[str, str] = {}
    try:
        arena.app.recorder.max_notification_id()
        checks["event_store"] = "ok"
    except Exception as exc:  # any failure means not ready; say which
        checks["event_store"] = f"failed: {type(exc).__name__}"
    try:
        with arena.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["read_models"] = "ok"
    except Exception as exc:
        checks["read_models"] = f"failed: {type(exc).__name__}"
    if all(value == "ok" for value in checks.values()):
        return Response({"status": "ready", "checks": checks})
    return problem_response(503, "not ready", "/ready", checks=checks)
