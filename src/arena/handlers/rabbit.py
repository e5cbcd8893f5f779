"""The consumers of `arena worker`: one table from queue to message type and handler.

Handlers are plain async functions, message first, context after; each commits its effect
before it returns, and arena.bus.consumer acks only then (retries and the DLQ are its job).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from faststream.rabbit import RabbitBroker
from sqlalchemy import Engine

from arena.application import ArenaApplication
from arena.bus.delayed import schedule
from arena.bus.envelope import EventEnvelope
from arena.bus.topology import Topology
from arena.handlers.judging import VerdictReady, record_verdict
from arena.handlers.limits import FreeInFlightSlot
from arena.handlers.routing import COMMANDS, LIMITS, PROJECTIONS, RATINGS, SETTLEMENT, TIMERS, Consumer
from arena.handlers.settlement import RatingsStep, SettlementProcess
from arena.handlers.timers import TimerCommand, fire, timers_for
from arena.limits.rules import Limiter
from arena.metrics import Highest
from arena.projections.base import FetchEvents, Projection, deliver


@dataclass
class WorkerContext:
    app: ArenaApplication
    engine: Engine
    projections: Sequence[Projection]
    fetch: FetchEvents
    broker: RabbitBroker
    topology: Topology
    leave_after: timedelta
    clock: Callable[[], datetime]
    judge_key: bytes | None = None  # checks judge.results' signatures; None: none is believed
    limiter: Limiter | None = None  # the API's shared store (ARENA_REDIS_URL), for the limits consumer
    projected: Highest = field(default_factory=Highest)  # for arena_log_lag_events{reader="projections"}


async def project(event: EventEnvelope, ctx: WorkerContext) -> None:
    def apply_everywhere() -> None:
        for projection in ctx.projections:
            deliver(ctx.engine, projection, event, ctx.fetch)

    await asyncio.to_thread(apply_everywhere)
    ctx.projected.saw(event.notification_id)


async def on_timer_message(message: EventEnvelope | TimerCommand, ctx: WorkerContext) -> None:
    """An event that asks for timers schedules them; a timer that comes due fires."""
    if isinstance(message, EventEnvelope):
        for timer in timers_for(message, ctx.leave_after):
            await _schedule(timer, ctx)
        return
    if await asyncio.to_thread(fire, message, ctx.app, ctx.clock()) is not None:
        await _schedule(message, ctx)  # came early: wait for the rest


async def on_verdict(message: VerdictReady, ctx: WorkerContext) -> None:
    await asyncio.to_thread(record_verdict, message, ctx.app, ctx.judge_key or b"")


async def on_settlement_event(event: EventEnvelope, ctx: WorkerContext) -> None:
    await asyncio.to_thread(SettlementProcess(ctx.app, ctx.engine, ctx.fetch), event)


async def on_ratings_event(event: EventEnvelope, ctx: WorkerContext) -> None:
    await asyncio.to_thread(RatingsStep(ctx.engine, ctx.app), event)


async def on_verdict_recorded(event: EventEnvelope, ctx: WorkerContext) -> None:
    if ctx.limiter is not None:  # None: no shared store, the API processes' slots expire instead
        await asyncio.to_thread(FreeInFlightSlot(ctx.limiter), event)


async def _schedule(timer: TimerCommand, ctx: WorkerContext) -> None:
    delay = max(0.0, (timer.due_at - ctx.clock()).total_seconds())
    await schedule(ctx.broker, f"timer.{timer.kind}", timer, delay, timer.message_id,
                   queue=TIMERS.queue, topology=ctx.topology)


Handler = Callable[[Any, WorkerContext], Awaitable[None]]

# consumer name (for --only) -> (consumer, message type, handler); which events reach each
# consumer's queue is the routing table's to say (arena.handlers.routing).
WORKER_QUEUES: dict[str, tuple[Consumer, Any, Handler]] = {
    PROJECTIONS.name: (PROJECTIONS, EventEnvelope, project),
    TIMERS.name: (TIMERS, EventEnvelope | TimerCommand, on_timer_message),
    COMMANDS.name: (COMMANDS, VerdictReady, on_verdict),
    SETTLEMENT.name: (SETTLEMENT, EventEnvelope, on_settlement_event),
    RATINGS.name: (RATINGS, EventEnvelope, on_ratings_event),
    LIMITS.name: (LIMITS, EventEnvelope, on_verdict_recorded),
}


def bind(handler: Handler, ctx: WorkerContext) -> Callable[[Any], Awaitable[None]]:
    async def bound(message: Any) -> None:  # one parameter: the consumer passes the body only
        await handler(message, ctx)

    return bound
