"""/metrics of the background processes (`arena relay|worker|judge|scheduler`), each on a port of
its own (ARENA_METRICS_PORT, 0 = off), and what only they can measure: how far the relay and the
projections are behind the event store, and how deep the queues they consume are.

The API serves /metrics itself (arena.api.metrics); these processes have no HTTP server, so
prometheus_client's own runs on a thread beside the event loop. The lags are read when scraped
(a max() on the store's index and one position): nothing is spent between scrapes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import structlog
from prometheus_client import start_http_server

from arena.config_errors import ConfigurationError
from arena.metrics import LOG_LAG, QUEUE_CONSUMERS, QUEUE_MESSAGES
from arena.settings import ArenaSettings

if TYPE_CHECKING:
    from eventsourcing.application import Application
    from faststream.rabbit import RabbitBroker
    from sqlalchemy import Engine

    from arena.bus.topology import Topology

log = structlog.get_logger("arena.metrics")


def serve_metrics(settings: ArenaSettings, process: str) -> None:
    """Starts /metrics on ARENA_METRICS_HOST:ARENA_METRICS_PORT, unless the port is 0."""
    if not settings.metrics_port:
        return
    try:
        start_http_server(settings.metrics_port, addr=settings.metrics_host)
    except OSError as exc:  # taken by another process: the operator's to fix, not retried
        raise ConfigurationError(f"ARENA_METRICS_PORT={settings.metrics_port} on {settings.metrics_host}: "
                                 f"{exc.strerror or exc}; give each process its own port") from None
    log.info("metrics.serving", process=process, host=settings.metrics_host, port=settings.metrics_port)


def watch_log_lag(reader: str, app: Application, position: Callable[[], int | None]) -> None:
    """arena_log_lag_events{reader}: the store's last notification id minus `position()` (left
    out while the reader has no position yet)."""

    def lag() -> dict[str, float]:
        at = position()
        if at is None:
            return {}
        return {reader: max(0, (app.recorder.max_notification_id() or 0) - at)}

    LOG_LAG.watch(reader, lag)


def watch_relay_lag(app: Application, engine: Engine, name: str = "relay") -> None:
    from arena.db.positions import read_position

    watch_log_lag("relay", app, lambda: read_position(engine, name))


async def sample_queues(broker: RabbitBroker, topology: Topology, queues: Sequence[str],
                        every_s: float, stop: asyncio.Event) -> None:
    """Every `every_s`, arena_queue_messages and arena_queue_consumers of `queues` (logical
    names) from passive declares. A broker that is down leaves the last values; the connection's
    own reconnects are watched elsewhere (arena.bus.connecting)."""
    from arena.bus.topology import EVENTS

    while not stop.is_set():
        try:
            exchange = await broker.declare_exchange(topology.exchange(EVENTS))  # cached
            # The underlying channel: a robust channel would remember every passive declare and
            # replay them all after a reconnect.
            channel = await exchange.channel.get_underlay_channel()
            for queue in queues:
                declared = await channel.queue_declare(topology.name(queue), passive=True)
                QUEUE_MESSAGES.labels(queue).set(declared.message_count or 0)
                QUEUE_CONSUMERS.labels(queue).set(declared.consumer_count or 0)
        except Exception as exc:  # a sample missed; the next one tries again
            log.debug("metrics.queue_sample_failed", error=f"{type(exc).__name__}: {exc}"[:300])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
