"""The production topology end to end, on the real RabbitMQ and PostgreSQL: the application
saves, the relay publishes, the worker's consumers project, time and record verdicts, the judge
judges in its sandbox. Then every event is published a second time and nothing changes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import structlog
from faststream.rabbit import RabbitBroker

from arena.bootstrap import bootstrap
from arena.bus.consumer import subscribe
from arena.bus.envelope import EventEnvelope
from arena.bus.relay import run_relay
from arena.bus.topology import Topology, declare
from arena.bus.trust import StoredEvents
from arena.db.tables import bus_positions
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.handlers.judge_worker import judge_and_publish
from arena.handlers.rabbit import WORKER_QUEUES, WorkerContext, bind
from arena.bootstrap import make_sandbox
from arena.judge.worker import Judge
from arena.projections.checksum import checksum
from arena.projections.room import read_room
from arena.projections.scoreboard import read_scoreboard
from arena.projections.submissions import get_submission
from arena.settings import ArenaSettings
from bus_eventlog import PG_HOST, PG_PORT, PG_USER, RABBIT_URL

JUDGE_KEY = b"pipeline-test-judge-key-of-32-bytes!"
PROBLEM = b"""---
title: Echo
slug: echo
samples:
  - {input: "7\\n", output: "7\\n"}
tests:
  - {input: "42\\n", output: "42\\n"}
---
Print what you read.
"""


async def eventually(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(condition):
            return True
        await asyncio.sleep(0.05)
    return await asyncio.to_thread(condition)


async def test_a_battle_flows_through_relay_worker_and_judge_and_a_replay_changes_nothing(
        dbname: str, topology: Topology, brokers: Callable[[], RabbitBroker], tmp_path: Path) -> None:
    settings = ArenaSettings(database_url=f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}",
                             broker_url=RABBIT_URL, data_dir=tmp_path, leave_after=0.5)
    arena = bootstrap(settings, migrate=True)  # a broker is set: no local bus, judge or timers
    assert arena.judge is None and arena.timers is None
    worker, judge_broker, relay_broker = brokers(), brokers(), brokers()
    ctx = WorkerContext(app=arena.app, engine=arena.engine, projections=arena.bus.projections,
                        fetch=arena.bus.fetch, broker=worker, topology=topology,
                        leave_after=timedelta(seconds=0.5), clock=arena.app.clock,
                        judge_key=JUDGE_KEY)
    trust = StoredEvents(arena.engine, arena.app.mapper.transcoder)
    for consumer, model, handler in WORKER_QUEUES.values():
        subscribe(worker, consumer.queue, bind(handler, ctx), model, topology=topology, trust=trust)
    judge = Judge(make_sandbox("bwrap"), slots=2)

    async def on_submission(event: EventEnvelope) -> None:
        await judge_and_publish(event, judge, arena.problems, judge_broker, topology, JUDGE_KEY)

    subscribe(judge_broker, "judge.requests", on_submission, EventEnvelope, prefetch=2, topology=topology,
              trust=trust)
    for broker in (worker, judge_broker):
        await broker.connect()
        await declare(broker, topology)
        await broker.start()
    stop = asyncio.Event()
    relay = asyncio.create_task(run_relay(arena.app, arena.engine, relay_broker, topology=topology,
                                          stop_event=stop))
    try:
        app = arena.app
        arena.problems.upload(PROBLEM)
        battle_id = app.create_battle("admin", BattleSettings(title="t", languages=("python",)))
        app.attach_problem(battle_id, "echo", by=Admin("admin"))
        app.open_lobby(battle_id, by=Admin("admin"))
        for player in ("ada", "grace", "linus", "mary"):
            app.join(battle_id, player)
        app.start_battle(battle_id, by=Admin("admin"))
        with structlog.contextvars.bound_contextvars(request_id="req-ada-1"):  # as the API binds it
            accepted = app.submit(battle_id, "ada", "echo", "python", "print(input())")
        wrong = app.submit(battle_id, "grace", "echo", "python", "print(1)")
        app.disconnect(battle_id, "mary")
        app.reconnect(battle_id, "mary")  # back before her leave timer fires
        app.disconnect(battle_id, "linus")

        def judged() -> bool:
            rows = [get_submission(arena.engine, s) for s in (accepted, wrong)]
            return all(row is not None and row["status"] == "judged" for row in rows)

        assert await eventually(judged)
        assert get_submission(arena.engine, accepted)["verdict"] == "AC"
        assert get_submission(arena.engine, wrong)["verdict"] == "WA"

        def linus_left() -> bool:
            room = read_room(arena.engine, str(battle_id))
            return any(p["user_id"] == "linus" and p["state"] == "LEFT" for p in room["players"])

        assert await eventually(linus_left)  # the leave timer went through the delay ladder
        room = read_room(arena.engine, str(battle_id))
        assert next(p for p in room["players"] if p["user_id"] == "mary")["state"] == "PRESENT"

        # The request id travelled: API call -> event -> relay -> judge -> judge.results -> worker
        # -> the VerdictRecorded event the worker's command appended.
        ada = app.get_room_player(battle_id, "ada")
        verdict_event = next(e for e in arena.bus.fetch(ada.id, 0, ada.version)
                             if e.routing_key == "room_player.verdict_recorded")
        assert verdict_event.data["meta"]["request_id"] == "req-ada-1"
        board = read_scoreboard(arena.engine, str(battle_id))
        assert [row["user_id"] for row in board["rows"]][0] == "ada"

        # A rejudge goes the same way (RejudgeRequested -> judge.requests -> judge.results ->
        # VerdictRevised); the replay below hands its request to the judge again: a no-op.
        app.rejudge_submission(app.get_room_player(battle_id, "grace").id, wrong, by=Admin("admin"))

        def rejudged() -> bool:
            return app.get_room_player(battle_id, "grace").verdict_of(wrong, 1) is not None

        assert await eventually(rejudged)
        assert app.get_room_player(battle_id, "grace").verdict_of(wrong, 1) == "WA"
        assert await eventually(lambda: get_submission(arena.engine, wrong)["status"] == "judged")

        # Publish every event again: consumers must recognise them all as duplicates.
        events_before = arena.app.recorder.max_notification_id()
        sums = {name: checksum(arena.engine, name) for name in ("battles", "submissions", "scoreboard", "room")}
        with arena.engine.begin() as conn:
            conn.execute(bus_positions.update().where(bus_positions.c.name == "relay").values(position=0))

        def republished() -> bool:
            with arena.engine.connect() as conn:
                return conn.execute(bus_positions.select().where(bus_positions.c.name == "relay")).one().position >= events_before

        assert await eventually(republished)
        await asyncio.sleep(1.0)  # let the consumers drain what the relay republished
        assert arena.app.recorder.max_notification_id() == events_before  # no verdict recorded twice
        assert {name: checksum(arena.engine, name) for name in sums} == sums
    finally:
        stop.set()
        await relay
        await judge.close()
        arena.close()
