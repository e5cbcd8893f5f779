"""The one place that knows the concrete classes and wires arena together."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine

from arena.application import ArenaApplication, utc_now
from arena.db import event_recorder
from arena.db.engine import make_engine, network_bounds
from arena.db.migrations import upgrade
from arena.handlers.local_bus import LocalBus
from arena.handlers.local_judge import LocalJudge
from arena.handlers.limits import FreeInFlightSlot
from arena.handlers.local_timers import LocalTimers
from arena.handlers.routing import JUDGE, LIMITS, RATINGS, SETTLEMENT, TIMERS
from arena.handlers.settlement import RatingsStep, SettlementProcess
from arena.handlers.sweep import sweep
from arena.judge.languages import cached_languages
from arena.judge.sandbox import Sandbox
from arena.judge.worker import Judge
from arena.keyfile import is_embedded, judge_key
from arena.limits import Limiter, limiter_from_settings
from arena.problems.store import ProblemStore
from arena.projections.battle_facts import BattleFactsReader
from arena.projections.battles import battles_using_problem
from arena.projections.registry import live_projections
from arena.projections.submissions import unjudged_submissions
from arena.settings import ArenaSettings


@dataclass
class Arena:
    settings: ArenaSettings
    engine: Engine
    app: ArenaApplication
    problems: ProblemStore
    bus: LocalBus
    limiter: Limiter  # the API's middleware and the verdict handler share it
    judge: LocalJudge | None = None
    timers: LocalTimers | None = None

    def close(self) -> None:
        if self.timers is not None:
            self.timers.close()
        if self.judge is not None:
            self.judge.close()
        self.limiter.close_sync()
        self.app.close()
        self.engine.dispose()


def make_sandbox(kind: str, **options: Any) -> Sandbox:
    """The sandbox backend named by settings.sandbox ("bwrap" or "docker"), imported only
    when chosen: the docker SDK is not needed where bwrap judges."""
    if kind == "bwrap":
        from arena.judge.bwrap import BwrapSandbox

        return BwrapSandbox(**options)
    if kind == "docker":
        from arena.judge.docker_backend import DockerSandbox

        return DockerSandbox(**options)
    raise ValueError(f"unknown sandbox backend {kind!r}: expected 'bwrap' or 'docker'")


def event_store_env(settings: ArenaSettings) -> dict[str, str]:
    """eventsourcing's persistence settings, derived from ARENA_DATABASE_URL / ARENA_DATA_DIR."""
    if settings.uses_postgres:
        url = urlsplit(settings.database_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": event_recorder.TOPIC,  # one round trip per append
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),  # must be set, even with trust auth
            # kept open, and opened on demand beyond that while API threads or consumers write at once
            "POSTGRES_POOL_SIZE": str(settings.db_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(settings.db_max_overflow),
            # How long a checkout waits for a connection (eventsourcing's default is 30 s, and it
            # retries a failed statement 10 times: a database gone meant minutes of silence
            # before a process could say so and back off, issue 12 finding 2).
            "POSTGRES_CONNECT_TIMEOUT": str(max(1, math.ceil(settings.db_connect_timeout_s))),
        }
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(Path(settings.data_dir).resolve() / "events.sqlite3"),
    }


def create_event_store(settings: ArenaSettings) -> None:
    """Creates eventsourcing's own tables (it does, when an application is first built), once,
    as `arena db upgrade`: processes that start together on a new database would otherwise race
    on CREATE TABLE and one of them fail ("tuple concurrently updated")."""
    ArenaApplication(event_store_env(settings), problems=None).close()  # type: ignore[arg-type]


def bootstrap(settings: ArenaSettings | None = None, *, clock: Callable[[], datetime] = utc_now,
              migrate: bool | None = None, judge: bool | None = None,
              timers: bool | None = None) -> Arena:
    """Builds arena. Without a broker, the judge and the timers run in this process;
    one-shot commands (imports, rebuilds) turn them off with judge=False, timers=False."""
    settings = settings or ArenaSettings()
    engine = make_engine(settings)
    if migrate if migrate is not None else not settings.uses_postgres:
        upgrade(engine)  # the embedded default migrates itself; production runs `arena db upgrade`
    problems = ProblemStore(engine, settings.problems_dir, clock,
                            in_use_by=lambda slug: battles_using_problem(engine, slug))
    app = ArenaApplication(event_store_env(settings), problems=problems,
                           languages=lambda: frozenset(cached_languages()), clock=clock,
                           group_commit=settings.group_commit,
                           facts_of=BattleFactsReader(engine) if settings.uses_postgres else None,
                           settle_wait=timedelta(seconds=settings.settle_wait_s))
    if settings.uses_postgres:  # eventsourcing has no setting for these; its pool's kwargs take them
        pool = app.recorder.datastore.pool
        pool.kwargs.update(network_bounds(settings))
        pool.drain()  # the connections it opened to create its tables are made again with them
        # ...and waited for: a checkout while they were being made again grew the pool past its
        # size for good (tests/integration/test_pools.py saw 5 connections held where 4 is the budget)
        pool.wait(timeout=max(10.0, 3 * settings.db_connect_timeout_s))
    bus = LocalBus(app, engine, projections=live_projections())
    # The settlement's steps run in every shape: here on the local bus, or in `arena worker`.
    bus.handlers += [(SETTLEMENT, SettlementProcess(app, engine, bus.fetch)), (RATINGS, RatingsStep(engine, app))]
    # Redis when ARENA_REDIS_URL is set, else this process's memory: the one the API checks.
    limiter = limiter_from_settings(settings)
    bus.handlers.append((LIMITS, FreeInFlightSlot(limiter)))
    local_judge = None
    if judge if judge is not None else not settings.broker_url:
        # In process, a verdict crosses no wire: without ARENA_JUDGE_KEY a key of this process's
        # own signs and checks it (the data dir's, in the embedded default).
        key = judge_key(settings) if settings.judge_key or is_embedded(settings) else secrets.token_bytes(32)
        local_judge = LocalJudge(lambda: Judge(make_sandbox(settings.sandbox), settings.judge_slots),
                                 problems, app, key, packages=problems)
        bus.handlers.append((JUDGE, local_judge))
    local_timers = None
    if timers if timers is not None else not settings.broker_url:
        leave_after = timedelta(seconds=settings.leave_after)
        keys_kept = timedelta(seconds=settings.idempotency_keep_s)
        local_timers = LocalTimers(app, leave_after, clock,
                                   sweep=lambda: sweep(app, engine, leave_after, clock(), keys_kept))
        bus.handlers.append((TIMERS, local_timers))
    if not settings.broker_url:  # with a broker, the relay and `arena worker` do this instead
        app.on_saved = bus.catch_up
        bus.catch_up()  # whatever was saved while no bus ran
    if local_judge is not None:  # a crash may have left submissions without a verdict
        local_judge.requeue(bus.fetch, unjudged_submissions(engine))
        local_judge.verify_packages()  # and packages uploaded but not verified yet
    return Arena(settings=settings, engine=engine, app=app, problems=problems, bus=bus, limiter=limiter,
                 judge=local_judge, timers=local_timers)
