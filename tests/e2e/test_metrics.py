"""Issue 12, finding 6: the API's /metrics counts requests by route template, never raw path,
with one process and with `arena serve --workers 2` (each worker's counters summed)."""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from test_serve_workers import RABBIT, arena_command, free_port
from served import wait_until_answering

BATTLE_ROUTE = "/api/v2/battles/{battle_id}"


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """{sorted labels: value} of one metric's samples in an exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def requests_of(text: str, method: str, route: str, status_class: str) -> float:
    key = (("method", method), ("route", route), ("status_class", status_class))
    return samples(text, "arena_http_requests_total").get(key, 0.0)


def test_a_request_is_counted_under_its_route_template_and_status_class(api) -> None:
    before = api.http.get("/metrics").text
    missing = [str(uuid.uuid4()) for _ in range(3)]
    for battle_id in missing:
        assert api.get(f"/battles/{battle_id}", user="metrics-reader").status_code == 404
    assert api.http.get("/no/such/path").status_code == 404
    api.http.request("PROPFIND", "/health")  # every method outside the standard ones: OTHER

    scraped = api.http.get("/metrics")
    assert scraped.status_code == 200
    after = scraped.text
    assert requests_of(after, "GET", BATTLE_ROUTE, "4xx") - requests_of(before, "GET", BATTLE_ROUTE, "4xx") == 3
    assert requests_of(after, "GET", "unmatched", "4xx") > requests_of(before, "GET", "unmatched", "4xx")
    assert not any(battle_id in after for battle_id in missing)  # bounded labels: no ids
    assert "/no/such/path" not in after
    assert 'method="PROPFIND"' not in after
    assert any(labels[0] == ("method", "OTHER") for labels in samples(after, "arena_http_requests_total"))
    latency = samples(after, "arena_http_request_duration_seconds_count")
    assert latency[(("method", "GET"), ("route", BATTLE_ROUTE))] >= 3


def test_workers_count_into_one_exposition(e2e_postgres_url: str, tmp_path: Path) -> None:
    env = {"ARENA_DATABASE_URL": e2e_postgres_url, "ARENA_BROKER_URL": RABBIT, "ARENA_DATA_DIR": str(tmp_path),
           "ARENA_JWT_SECRET": "s" * 40, "ARENA_DB_POOL_SIZE": "1", "ARENA_DB_MAX_OVERFLOW": "1",
           "ARENA_RATE_ANONYMOUS": "1000000/60"}
    port = free_port()
    server = arena_command("serve", "--port", str(port), "--workers", "2", env=env)
    try:
        root = f"http://127.0.0.1:{port}"
        wait_until_answering(root, server, timeout=30)
        before = httpx.get(f"{root}/metrics").text
        for _ in range(20):  # new connections: uvicorn's workers share the socket, both answer
            assert httpx.get(f"{root}/health").status_code == 200
        after = httpx.get(f"{root}/metrics").text
        # Whichever worker answers the scrape, it reports the 20 that both workers served.
        assert requests_of(after, "GET", "/health", "2xx") - requests_of(before, "GET", "/health", "2xx") == 20
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
