"""Issue 10, finding 8: consumers believe a bus message only as far as the event store agrees.

On the real RabbitMQ and PostgreSQL: the worker's projections consumer reads every event back
from arena_events; what the store does not hold is dead-lettered at once, and a malformed body
goes to the DLQ on its first delivery."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from faststream.rabbit import RabbitBroker
from sqlalchemy import select

from arena.bootstrap import Arena, bootstrap
from arena.bus.consumer import subscribe
from arena.bus.dlq import DeadLetter, list_dead_letters
from arena.bus.relay import Relay
from arena.bus.topology import Topology, declare
from arena.bus.trust import StoredEvents
from arena.db.tables import projection_tracking
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.handlers.rabbit import WORKER_QUEUES, WorkerContext, bind
from arena.projections.room import read_room
from arena.settings import ArenaSettings
from bus_eventlog import PG_HOST, PG_PORT, PG_USER, RABBIT_URL
from bus_messages import eventually, publish_event, until

PROBLEM = b"---\ntitle: Echo\nslug: echo\nsamples:\n  - {input: \"1\", output: \"1\"}\n---\nEcho.\n"


@pytest.fixture
def arena(dbname: str, tmp_path: Path):
    settings = ArenaSettings(database_url=f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}",
                             broker_url=RABBIT_URL, data_dir=tmp_path)
    instance = bootstrap(settings, migrate=True)
    yield instance
    instance.close()


async def running_worker(arena: Arena, topology: Topology, brokers: Callable[[], RabbitBroker],
                         seen: list[str]) -> RabbitBroker:
    """The worker's projections consumer as `arena worker` builds it, counting what it applies."""
    worker = brokers()
    ctx = WorkerContext(app=arena.app, engine=arena.engine, projections=arena.bus.projections,
                        fetch=arena.bus.fetch, broker=worker, topology=topology,
                        leave_after=timedelta(minutes=5), clock=arena.app.clock)
    consumer, model, handler = WORKER_QUEUES["projections"]

    async def counting(message) -> None:
        await bind(handler, ctx)(message)
        seen.append(message.idempotency_key)

    subscribe(worker, consumer.queue, counting, model, topology=topology,
              trust=StoredEvents(arena.engine, arena.app.mapper.transcoder))
    await worker.connect()
    await declare(worker, topology)
    await worker.start()
    return worker


async def relay_all(arena: Arena, broker: RabbitBroker, topology: Topology) -> None:
    relay = Relay(arena.app, arena.engine, broker, topology=topology)
    while await relay.relay_page():
        pass


def tracked_version(arena: Arena, projection: str, originator_id: UUID) -> int | None:
    with arena.engine.connect() as conn:
        return conn.execute(select(projection_tracking.c.version).where(
            (projection_tracking.c.projection == projection)
            & (projection_tracking.c.originator_id == str(originator_id)))).scalar()


async def dead_letter(broker: RabbitBroker, topology: Topology, message_id: str) -> DeadLetter:
    async def find() -> list[DeadLetter]:
        return [d for d in await list_dead_letters(broker, topology=topology) if d.message_id == message_id]

    return (await eventually(find))[0]


async def test_finding_8_event_the_store_does_not_hold_is_dead_lettered_and_tracking_does_not_jump(
        arena: Arena, topology: Topology, brokers) -> None:
    arena.problems.upload(PROBLEM)
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t"))
    arena.app.attach_problem(battle_id, "echo", by=Admin("admin"))
    arena.app.open_lobby(battle_id, by=Admin("admin"))
    arena.app.join(battle_id, "ada")
    ada = arena.app.get_room_player(battle_id, "ada")
    seen: list[str] = []
    worker = await running_worker(arena, topology, brokers, seen)
    await relay_all(arena, worker, topology)
    total = arena.app.recorder.max_notification_id()
    await until(lambda: len(seen) == total)
    real = next(e for e in arena.bus.fetch(ada.id, 0, ada.version))
    before = {p.name: tracked_version(arena, p.name, ada.id) for p in arena.bus.projections}
    assert set(before.values()) == {ada.version}

    # The reproducer: a real player's id at version 999, published with the broker's credentials.
    forged = real.model_copy(update={"originator_version": 999, "notification_id": None})
    await publish_event(worker, topology, real.routing_key, forged.model_dump_json().encode(),
                        forged.idempotency_key)
    letter = await dead_letter(worker, topology, forged.idempotency_key)
    assert letter.error == f"rejected: the event store holds no event {ada.id}:999"
    assert letter.attempt is None  # at once: never retried
    assert forged.idempotency_key not in seen  # never reached the handler

    # A real id and version with someone else's data: the store's copy is what gets applied.
    tampered = real.model_copy(update={"data": {**real.data, "user_id": "mallory"}})
    await publish_event(worker, topology, real.routing_key, tampered.model_dump_json().encode(),
                        tampered.idempotency_key)
    await until(lambda: seen.count(real.idempotency_key) == 2)
    users = [p["user_id"] for p in read_room(arena.engine, str(battle_id))["players"]]
    assert users == ["ada"]

    # Tracking did not jump to 999: ada's next real event is applied by all four projections.
    assert {p.name: tracked_version(arena, p.name, ada.id) for p in arena.bus.projections} == before
    arena.app.disconnect(battle_id, "ada")
    await relay_all(arena, worker, topology)
    await until(lambda: len([k for k in seen if k.startswith(str(ada.id))]) == 3)
    after = {p.name: tracked_version(arena, p.name, ada.id) for p in arena.bus.projections}
    assert set(after.values()) == {ada.version + 1}
    room = read_room(arena.engine, str(battle_id))
    assert [p["state"] for p in room["players"]] == ["DISCONNECTED"]


async def test_finding_8_an_event_under_a_real_key_but_of_another_kind_is_dead_lettered(
        arena: Arena, topology: Topology, brokers) -> None:
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t"))
    seen: list[str] = []
    worker = await running_worker(arena, topology, brokers, seen)
    body = {"topic": "arena.domain.battle:Battle.Started", "originator_id": str(battle_id),
            "originator_version": 1, "timestamp": "2026-12-01T18:00:00+00:00", "data": {}}
    await publish_event(worker, topology, "battle.started", json.dumps(body).encode(), f"{battle_id}:1")
    letter = await dead_letter(worker, topology, f"{battle_id}:1")
    assert letter.error.startswith("rejected: the event store holds arena.domain.battle:Battle.Created")
    assert seen == []


async def test_finding_8_malformed_tagged_datetime_goes_to_the_dlq_at_once(
        arena: Arena, topology: Topology, brokers) -> None:
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t"))
    seen: list[str] = []
    worker = await running_worker(arena, topology, brokers, seen)
    body = {"topic": "arena.domain.battle:Battle.Created", "originator_id": str(battle_id),
            "originator_version": 1, "timestamp": "2026-12-01T18:00:00+00:00",
            "data": {"at": {"$datetime": 5}}}
    await publish_event(worker, topology, "battle.created", json.dumps(body).encode(), "bad:1")
    letter = await dead_letter(worker, topology, "bad:1")
    assert letter.error.startswith("malformed message:")
    assert "does not decode" in letter.error
    assert letter.attempt is None and letter.queue == topology.name("arena.projections")
    assert seen == []
