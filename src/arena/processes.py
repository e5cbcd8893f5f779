"""The production processes: `arena relay`, `arena worker`, `arena judge`, `arena scheduler`,
and the operator's `arena dlq`. Each builds what it needs through bootstrap and runs until
SIGINT/SIGTERM; the Procfile at the repository root names them all.

None of them exits because PostgreSQL or RabbitMQ went away (issue 12, finding 2; what each one
does is in docs/operations.md, "When a dependency goes away"): they wait for the database before
building on it, retry connecting to the broker, and log and count every retry (arena.retrying).
They exit on what no retry fixes: a missing setting or key (2), a lost relay lock (1)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import sys
from datetime import timedelta

import structlog

from arena.cli_parser import BROKER, GAME, JUDGE, LOGS, METRICS, STORE
from arena.dlq_command import add_dlq_command
from arena.settings import ArenaSettings

log = structlog.get_logger("arena")


def add_process_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("relay", help="publish every stored event to RabbitMQ",
                   reads=STORE + BROKER + LOGS + METRICS).set_defaults(run=_sync(relay))
    worker = sub.add_parser("worker", help="projection, timer and command consumers",
                            reads=STORE + BROKER + LOGS + METRICS + GAME
                            + ("judge_key", "redis_url", "submission_in_flight_s"))
    worker.add_argument("--only", default="", help="comma-separated: projections,timers,commands,settlement,"
                        "ratings,limits (default: all)")
    worker.set_defaults(run=_sync(worker_main))
    sub.add_parser("judge", help="judge submissions from the bus",
                   reads=STORE + BROKER + JUDGE + LOGS + METRICS).set_defaults(run=_sync(judge_main))
    scheduler = sub.add_parser("scheduler", help="the timers' safety net, every --every seconds",
                               reads=STORE + LOGS + METRICS + GAME)
    scheduler.add_argument("--every", type=float, default=30.0, help="seconds between sweeps")
    scheduler.set_defaults(run=_sync(scheduler_main))
    add_dlq_command(sub)


def _sync(main):
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


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def _broker(settings: ArenaSettings, process: str):
    from faststream.rabbit import RabbitBroker

    from arena.bus.connecting import watch_robust_reconnects

    # No telemetry middleware: arena opens its publish and process spans itself (bus.telemetry).
    return RabbitBroker(settings.broker_url, logger=None,
                        **watch_robust_reconnects(process))


async def _bootstrap(settings: ArenaSettings, process: str, stop: asyncio.Event):
    """bootstrap() once PostgreSQL accepts connections; None if asked to stop before that."""
    from arena.bootstrap import bootstrap
    from arena.db.waiting import wait_for_database

    if not await wait_for_database(settings, process, stop):
        return None
    return bootstrap(settings, judge=False, timers=False)


def _topology(settings: ArenaSettings, topology):
    """The topology as this process may touch it: declared, or only checked (passive) when its
    RabbitMQ user has no configure permission (ARENA_BROKER_DECLARE=false)."""
    return dataclasses.replace(topology, declare=settings.broker_declare)


async def relay(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bus.relay import run_relay
    from arena.handlers.routing import topology

    stop = _stop_event()
    arena = await _bootstrap(settings, "relay", stop)
    if arena is None:
        return 0
    broker = _broker(settings, "relay")
    from arena.process_metrics import watch_relay_lag

    watch_relay_lag(arena.app, arena.engine)
    try:
        await run_relay(arena.app, arena.engine, broker, topology=_topology(settings, topology()),
                        stop_event=stop)
    finally:
        await broker.stop()
        arena.close()
    return 0


async def worker_main(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bus.consumer import subscribe
    from arena.bus.trust import StoredEvents
    from arena.handlers.rabbit import WORKER_QUEUES, WorkerContext, bind
    from arena.handlers.routing import COMMANDS, LIMITS, PROJECTIONS, topology as routed_topology
    from arena.keyfile import judge_key

    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(WORKER_QUEUES)
    unknown = sorted(set(chosen) - set(WORKER_QUEUES))
    if unknown:
        print(f"arena worker: unknown consumers {unknown}; choose from {sorted(WORKER_QUEUES)}", file=sys.stderr)
        return 2
    key = judge_key(settings) if COMMANDS.name in chosen else None  # refuses to start without it
    stop = _stop_event()
    arena = await _bootstrap(settings, "worker", stop)
    if arena is None:
        return 0
    broker, topology = _broker(settings, "worker"), _topology(settings, routed_topology())
    ctx = WorkerContext(app=arena.app, engine=arena.engine, projections=arena.bus.projections,
                        fetch=arena.bus.fetch, broker=broker, topology=topology,
                        leave_after=timedelta(seconds=settings.leave_after), clock=arena.app.clock,
                        judge_key=key, limiter=arena.limiter if settings.redis_url else None)
    if LIMITS.name in chosen and not settings.redis_url:
        log.warning("no ARENA_REDIS_URL: verdicts cannot free the API's in-flight slots; they expire "
                    "after ARENA_SUBMISSION_IN_FLIGHT_S")
    trust = StoredEvents(arena.engine, arena.app.mapper.transcoder)  # the worker's events are read back
    for name in chosen:
        consumer, model, handler = WORKER_QUEUES[name]
        subscribe(broker, consumer.queue, bind(handler, ctx), model, topology=topology, trust=trust)
    if PROJECTIONS.name in chosen:
        from arena.process_metrics import watch_log_lag

        watch_log_lag("projections", arena.app, lambda: ctx.projected.value)
    await _serve(broker, topology, arena, consumers=chosen, process="worker", stop=stop,
                 queues=[WORKER_QUEUES[name][0].queue for name in chosen], settings=settings)
    return 0


async def judge_main(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bus.consumer import subscribe
    from arena.bus.envelope import EventEnvelope
    from arena.bus.trust import StoredEvents, event_transcoder
    from arena.db.engine import make_engine
    from arena.handlers.judge_worker import judge_and_publish
    from arena.handlers.package_verification import poll_verifications
    from arena.handlers.routing import JUDGE, topology as routed_topology
    from arena.bootstrap import make_sandbox
    from arena.judge.worker import Judge
    from arena.keyfile import judge_key
    from arena.problems.blobs import ProblemBlobs
    from arena.problems.store import ProblemStore
    from arena.application import utc_now

    # The judge judges the source the store holds, never the one a message carries: it reads
    # arena_events (a read-only database user is enough, infra/rabbitmq/README.md).
    if not settings.uses_postgres:
        print("arena judge: set ARENA_DATABASE_URL; submissions are read from the event store",
              file=sys.stderr)
        return 2
    key = judge_key(settings)  # before anything starts: no key, no judging
    broker, topology = _broker(settings, "judge"), _topology(settings, routed_topology())
    judge = Judge(make_sandbox(settings.sandbox), settings.judge_slots)
    problems = ProblemBlobs(settings.problems_dir)

    async def on_submission(event: EventEnvelope) -> None:
        await judge_and_publish(event, judge, problems, broker, topology, key)

    engine = make_engine(settings)
    trust = StoredEvents(engine, event_transcoder())
    # prefetch = slots: the broker never hands over more submissions than there are sandboxes
    subscribe(broker, JUDGE.queue, on_submission, EventEnvelope, prefetch=settings.judge_slots,
              topology=topology, trust=trust)
    stop = _stop_event()
    # Uploaded packages' verifications: a table polled here, not the bus (docs/adr/0027).
    store = ProblemStore(engine, settings.problems_dir, utc_now, in_use_by=lambda slug: [])
    verifying = asyncio.create_task(poll_verifications(store, judge, stop))
    try:
        await _serve(broker, topology, None, consumers=[f"judge x{settings.judge_slots}"], process="judge",
                     stop=stop, queues=[JUDGE.queue], settings=settings)
    finally:
        stop.set()
        await verifying
        await judge.close()
        engine.dispose()
    return 0


async def scheduler_main(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.handlers.sweep import sweep
    from arena.metrics import SCHEDULER_HEARTBEAT, SWEEPS
    from arena.retrying import DATABASE_DOWN, Backoff

    stop = _stop_event()
    arena = await _bootstrap(settings, "scheduler", stop)
    if arena is None:
        return 0
    backoff = Backoff("scheduler", "database", cap_s=min(15.0, args.every))
    try:
        while not stop.is_set():
            try:
                done = await asyncio.to_thread(sweep, arena.app, arena.engine,
                                               timedelta(seconds=settings.leave_after), arena.app.clock(),
                                               timedelta(seconds=settings.idempotency_keep_s))
            except DATABASE_DOWN as exc:  # the next sweep redoes it all: sweeps are idempotent
                await backoff.wait(exc, stop)
                continue
            backoff.succeeded()
            SWEEPS.inc()
            SCHEDULER_HEARTBEAT.set_to_current_time()  # alert when it stops moving
            log.info("sweep", **done)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=args.every)
    finally:
        arena.close()
    return 0


async def _serve(broker, topology, arena, consumers: list[str], process: str, stop: asyncio.Event,
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
