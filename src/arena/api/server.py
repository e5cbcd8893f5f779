"""Ways to run the API: one worker process built from the environment (`arena serve
--workers N` starts N of them), or on a free local port in a background thread (the demo and the
e2e tests)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from litestar import Litestar

from arena.api.edge import MAX_HEADER_BLOCK_BYTES
from arena.settings import ArenaSettings

# h11 keeps at most 16 kB of an unfinished request head and answers more with a bare 400 and a
# closed socket (a reset, to a client still sending). A larger buffer lets the edge middleware
# see oversized headers and answer 431 with problem details instead.
SERVER_LIMITS = {"h11_max_incomplete_event_size": MAX_HEADER_BLOCK_BYTES}


def app_from_environment() -> Litestar:
    """uvicorn's app factory for each worker process: settings from ARENA_*, its own arena."""
    from arena.api.app import create_app
    from arena.bootstrap import bootstrap
    from arena.logging import configure_logging
    from arena.telemetry import configure_tracing

    settings = ArenaSettings()
    configure_logging(settings)
    configure_tracing(settings, "api")
    return create_app(bootstrap(settings))


def start_in_thread(app: Litestar, host: str = "127.0.0.1") -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           access_log=False, log_config=None, **SERVER_LIMITS))
    thread = threading.Thread(target=server.run, name="arena-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start within 10 s")
        time.sleep(0.01)
    return server, f"http://{host}:{port}"
