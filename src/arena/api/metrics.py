"""The API's Prometheus side: every request counted by its route template, and GET /metrics.

The middleware sits outside everything else (app.py), so requests refused at the edge, 401s and
unknown paths are counted too. The route is the template Litestar matched
("/api/v2/battles/{battle_id}"), never the raw path: an id in a label would make a series
per battle. No match is "unmatched"; a method outside the standard ones is "OTHER".

With `arena serve --workers N` each worker is a process of its own: prometheus_client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by `arena serve`, see multiprocess_dir()) sums
their files, so any worker's /metrics answers for all of them. Sampled gauges (the dependency
guard's states) are the answering worker's own view.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from litestar import Request, Response, get
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from arena.metrics import HTTP_REQUESTS, HTTP_SECONDS, METHODS, SAMPLED, status_class

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"


def http_metrics_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        status = 500  # what the client gets if the app raises before answering
        started = time.perf_counter()

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_counted)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = scope.get("path_template") or UNMATCHED  # set by Litestar's router on a match
            HTTP_REQUESTS.labels(method, route, status_class(status)).inc()
            HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - started)

    return middleware


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics(request: Request) -> Response[bytes]:
    """Prometheus exposition of this API (every worker's counters with --workers N)."""
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(_registry()), media_type=content_type)


def _registry() -> CollectorRegistry:
    if MULTIPROC_ENV not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    for collector in SAMPLED:
        registry.register(collector)
    return registry


@contextmanager
def multiprocess_metrics() -> Iterator[str]:
    """Around `arena serve --workers N`: an empty directory for the workers' metric files, named
    in PROMETHEUS_MULTIPROC_DIR (which the workers inherit), removed afterwards. An operator's
    own PROMETHEUS_MULTIPROC_DIR is used as is: emptying it between runs is the operator's job."""
    if MULTIPROC_ENV in os.environ:
        yield os.environ[MULTIPROC_ENV]
        return
    path = tempfile.mkdtemp(prefix="arena-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield path
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(path, ignore_errors=True)
