"""The production processes: `arena relay`, `arena worker`, `arena judge`, `arena scheduler`,
and the operator's `arena dlq`. Each builds what it needs through bootstrap and runs until
SIGINT/SIGTERM (arena.process_lifecycle: what they share); the Procfile at the repository root
names them all.

None of them exits because PostgreSQL or RabbitMQ went away (issue 12, finding 2; what each one
does is in docs/operations.md, "When a dependency goes away"): they wait for the database before
building on it, retry connecting to the broker, and log and count every retry (arena.retrying).
They exit on what no retry fixes: a missing setting or key (2), a lost relay lock (1)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from datetime import timedelta

import structlog

from arena.cli_parser import BROKER, GAME, JUDGE, LOGS, METRICS, STORE
from arena.dlq_command import add_dlq_command
from arena.process_lifecycle import (as_command, bootstrap_when_ready, rabbit_broker, serve,
                                     stop_event, topology_for)
from arena.settings import ArenaSettings

log = structlog.get_logger("arena")


def add_process_commands(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("relay", help="publish every stored event to RabbitMQ",
                   reads=STORE + BROKER + LOGS + METRICS).set_defaults(run=as_command(relay))
    worker = sub.add_parser("worker", help="projection, timer and command consumers",
                            reads=STORE + BROKER + LOGS + METRICS + GAME
                            + ("judge_key", "redis_url", "submission_in_flight_s"))
    worker.add_argument("--only", default="", help="comma-separated: projections,timers,commands,settlement,"
                        "ratings,limits (default: all)")
    worker.set_defaults(run=as_command(worker_main))
    sub.add_parser("judge", help="judge submissions from the bus",
                   reads=STORE + BROKER + JUDGE + LOGS + METRICS).set_defaults(run=as_command(judge_main))
    scheduler = sub.add_parser("scheduler", help="the timers' safety net, every --every seconds",
                               reads=STORE + LOGS + METRICS + GAME)
    scheduler.add_argument("--every", type=float, default=30.0, help="seconds between sweeps")
    scheduler.set_defaults(run=as_command(scheduler_main))
    add_dlq_command(sub)


async def relay(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bus.relay import run_relay
    from arena.handlers.routing import topology

    stop = stop_event()
    arena = await bootstrap_when_ready(settings, "relay", stop)
    if arena is None:
        return 0
    broker = rabbit_broker(settings, "relay")
    from arena.process_metrics import watch_relay_lag

    watch_relay_lag(arena.app, arena.engine)
    try:
        await run_relay(arena.app, arena.engine, broker, topology=topology_for(settings, topology()),
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
    stop = stop_event()
    arena = await bootstrap_when_ready(settings, "worker", stop)
    if arena is None:
        return 0
    broker, topology = rabbit_broker(settings, "worker"), topology_for(settings, routed_topology())
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
    await serve(broker, topology, arena, consumers=chosen, process="worker", stop=stop,
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
    broker, topology = rabbit_broker(settings, "judge"), topology_for(settings, routed_topology())
    judge = Judge(make_sandbox(settings.sandbox), settings.judge_slots)
    problems = ProblemBlobs(settings.problems_dir)

    async def on_submission(event: EventEnvelope) -> None:
        await judge_and_publish(event, judge, problems, broker, topology, key)

    engine = make_engine(settings)
    trust = StoredEvents(engine, event_transcoder())
    # prefetch = slots: the broker never hands over more submissions than there are sandboxes
    subscribe(broker, JUDGE.queue, on_submission, EventEnvelope, prefetch=settings.judge_slots,
              topology=topology, trust=trust)
    stop = stop_event()
    # Uploaded packages' verifications: a table polled here, not the bus (docs/adr/0027).
    store = ProblemStore(engine, settings.problems_dir, utc_now, in_use_by=lambda slug: [])
    verifying = asyncio.create_task(poll_verifications(store, judge, stop))
    try:
        await serve(broker, topology, None, consumers=[f"judge x{settings.judge_slots}"], process="judge",
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

    stop = stop_event()
    arena = await bootstrap_when_ready(settings, "scheduler", stop)
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


