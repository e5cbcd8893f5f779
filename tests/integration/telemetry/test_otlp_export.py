"""Issue 12, finding 7: the OTEL_* variables alone send a process's spans to a collector, here a
minimal OTLP/HTTP receiver on a local port that keeps what it is sent."""

from __future__ import annotations

import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from test_json_logs import arena_command
from test_process_telemetry import free_port


class Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Collector.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_an_otlp_endpoint_in_the_environment_exports_the_api_spans(tmp_path: Path) -> None:
    collector = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    port = free_port()
    server = arena_command("serve", "--port", str(port), env={
        "ARENA_DATA_DIR": str(tmp_path), "OTEL_SERVICE_NAME": "arena-under-test",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_port}",
        "OTEL_BSP_SCHEDULE_DELAY": "100"})
    try:
        deadline = time.monotonic() + 60
        while not Collector.received:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v2/languages")
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "no span reached the collector within 60 s"
            time.sleep(0.2)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=60)
        collector.shutdown()
    path, body = Collector.received[0]
    assert path == "/v1/traces"
    assert b"arena-under-test" in body  # OTEL_SERVICE_NAME, the operator's, named the service
    assert b"/api/v2/languages" in body
