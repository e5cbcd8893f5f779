"""An API call's request id and trace context are stored with the events it appends."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from litestar.testing import TestClient

from arena.api.app import create_app
from arena.api.auth import mint_token
from arena.bootstrap import bootstrap
from arena.bus.relay import correlation_headers
from arena.settings import ArenaSettings
from arena.telemetry import configure_tracing


def test_the_events_of_an_api_call_carry_its_request_id_and_traceparent(tmp_path: Path) -> None:
    settings = ArenaSettings(data_dir=tmp_path)
    configure_tracing(settings, "test")
    arena = bootstrap(settings, judge=False, timers=False)
    try:
        headers = {"Authorization": f"Bearer {mint_token(settings, 'alice', 'admin')}",
                   "X-Request-ID": "req-create-1"}
        with TestClient(create_app(arena)) as client:
            response = client.post("/api/v2/battles", json={"title": "traced"}, headers=headers)
        assert response.status_code == 201
        [created] = arena.bus.fetch(UUID(response.json()["id"]), 0, 1)
        sent = correlation_headers(created)  # what the relay puts on the message
        assert sent["request_id"] == "req-create-1"
        assert sent["traceparent"].startswith("00-")
    finally:
        arena.close()
