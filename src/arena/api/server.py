"""Ways to run the API: one worker process built from the environment (`arena serve
--workers N` starts N of them), or on a free local port in a background thread (the demo and the
e2e tests). Both use one server stack, SERVER (docs/adr/0017): uvicorn on uvloop with httptools."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from litestar import Litestar

from arena.api.edge import MAX_HEADER_BLOCK_BYTES
from arena.settings import ArenaSettings

# Named, not "auto": uvicorn's auto quietly falls back to the asyncio loop, whose keep-alive
# connections stall ~44 ms per request here (docs/adr/0017); a missing uvloop must fail loudly.
# httptools has no head limit of its own: the protocol class adds ours (http_protocol.py). The h11
# buffer stays raised for anyone who runs uvicorn --http h11 by hand: without it h11 answers a
# 16 kB head with a bare 400 and a closed socket, and the edge middleware never answers its 431.
SERVER = {"loop": "uvloop", "http": "arena.api.http_protocol:BoundedHttpToolsProtocol",
          "h11_max_incomplete_event_size": MAX_HEADER_BLOCK_BYTES,
          "log_config": None, "access_log": False}


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


def serve(app: Litestar | str, host: str, port: int, workers: int = 1) -> None:
    """Runs until stopped: `app`, or with workers > 1 an app factory's import path, which each
    worker process calls (so each builds its own arena)."""
    if workers > 1:
        uvicorn.run(app, factory=True, workers=workers, host=host, port=port, **SERVER)
    else:
        uvicorn.run(app, host=host, port=port, **SERVER)


def start_in_thread(app: Litestar, host: str = "127.0.0.1") -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", **SERVER))
    thread = threading.Thread(target=server.run, name="arena-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start within 10 s")
        time.sleep(0.01)
    return server, f"http://{host}:{port}"
