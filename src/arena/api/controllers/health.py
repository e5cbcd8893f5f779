"""Liveness and readiness."""

from __future__ import annotations

from litestar import Response, get
from litestar.datastructures import State

from arena.api.problem_details import problem_response
from arena.api.response_models import HealthView, ReadyView


@get("/health", tags=["health"])
async def health() -> HealthView:
    """Live: the process answers."""
    return {"status": "ok"}


@get("/ready", tags=["health"])
async def ready(state: State) -> Response[ReadyView]:
    """Ready: the database answers. Each dependency's check (database, broker, redis: ok, down or
    not configured) and the API's circuit breakers are in the body; each check has its own short
    timeout (ARENA_READY_TIMEOUT_S), so this answers within about that even during an outage."""
    readiness = state.readiness
    checks = await readiness.checks()
    breakers = state.dependency_guard.states()
    if readiness.ready(checks):
        return Response({"status": "ready", "checks": checks, "breakers": breakers})
    down = ", ".join(name for name, value in checks.items() if value == "down")
    response = problem_response(503, f"not ready: down: {down}", "/ready", checks=checks, breakers=breakers)
    response.headers["Retry-After"] = "1"
    return response
