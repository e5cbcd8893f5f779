"""How every background process lives (arena.processes, arena.dlq_command): run as a command,
stop on SIGINT/SIGTERM, wait for the database before bootstrapping, reach RabbitMQ, and serve its
consumers until stopped. What each process does is in arena.processes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import sys

import structlog

from arena.settings import ArenaSettings

log = structlog.get_logger("arena")


def as_command(main):
    """The CLI's run(args, settings) for a process's async main: tracing, /metrics, the broker
    setting checked, and a ConfigurationError as exit code 2."""

    def run(args: argparse.Namespace, settings: ArenaSettings) -> int:
        from arena.process_metrics import serve_metrics
        from arena.telemetry import configure_tracing

        configure_tracing(settings, args.command)  # logging: arena.cli.main, for every command
        if "metrics_port" in args.reads:  # the processes; not the operator's one-off dlq
            serve_metrics(settings, args.command)
        if not settings.broker_url and args.command != "scheduler":
            print(f"arena {args.command}: set ARENA_BROKER_URL (amqp://...); without a broker "
                  "the API process does this work itself", file=sys.stderr)
            return 2
        from arena.config_errors import ConfigurationError

        try:
            return asyncio.run(main(args, settings)) or 0
        except ConfigurationError as exc:  # a setting only the operator can supply: no retry helps
            print(f"arena {args.command}: {exc}", file=sys.stderr)
            return 2

    return run


def stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def rabbit_broker(settings: ArenaSettings, process: str):
    from faststream.rabbit import RabbitBroker

    from arena.bus.connecting import watch_robust_reconnects

    # No telemetry middleware: arena opens its publish and process spans itself (bus.telemetry).
    return RabbitBroker(settings.broker_url, logger=None,
                        **watch_robust_reconnects(process))


async def bootstrap_when_ready(settings: ArenaSettings, process: str, stop: asyncio.Event):
    """bootstrap() once PostgreSQL accepts connections; None if asked to stop before that."""
    from arena.bootstrap import bootstrap
    from arena.db.waiting import wait_for_database

    if not await wait_for_database(settings, process, stop):
        return None
    return bootstrap(settings, judge=False, timers=False)


def topology_for(settings: ArenaSettings, topology):
    """The topology as this process may touch it: declared, or only checked (passive) when its
    RabbitMQ user has no configure permission (ARENA_BROKER_DECLARE=false)."""
    return dataclasses.replace(topology, declare=settings.broker_declare)


async def serve(broker, topology, arena, consumers: list[str], process: str, stop: asyncio.Event,
                queues: list[str], settings: ArenaSettings) -> None:
    """Connect, declare and start consuming, retrying until the broker lets us; then the robust
    connection restores the consumers by itself after any later cut (arena.bus.connecting)."""
    from arena.bus.connecting import connect_broker
    from arena.process_metrics import sample_queues
    from arena.retrying import Backoff

    try:
        if await connect_broker(broker, topology, Backoff(process, "broker"), stop, start=True):
            log.info("consuming", consumers=consumers)
            if settings.metrics_port:
                await sample_queues(broker, topology, queues, settings.metrics_queue_every_s, stop)
            await stop.wait()
    finally:
        await broker.stop()
        if arena is not None:
            arena.close()
