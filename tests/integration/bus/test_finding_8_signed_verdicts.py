"""Issue 10, finding 8: a verdict on judge.results is recorded only if a judge signed it, for a
submission that waits for one. On the real RabbitMQ and PostgreSQL, through the worker's
commands consumer as `arena worker` builds it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from faststream.rabbit import RabbitBroker

from arena.bootstrap import Arena, bootstrap
from arena.bus.consumer import subscribe
from arena.bus.dlq import DeadLetter, list_dead_letters
from arena.bus.publish import publish_confirmed
from arena.bus.topology import WORK, Topology, declare
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.handlers.judging import VerdictReady
from arena.handlers.rabbit import WORKER_QUEUES, WorkerContext, bind
from arena.settings import ArenaSettings
from bus_eventlog import PG_HOST, PG_PORT, PG_USER, RABBIT_URL
from bus_messages import eventually, until

KEY = b"the-judges-own-key-nobody-else-holds"
PROBLEM = b"---\ntitle: Echo\nslug: echo\nsamples:\n  - {input: \"1\", output: \"1\"}\n---\nEcho.\n"


@pytest.fixture
def arena(dbname: str, tmp_path: Path):
    settings = ArenaSettings(database_url=f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}",
                             broker_url=RABBIT_URL, data_dir=tmp_path)
    instance = bootstrap(settings, migrate=True)
    yield instance
    instance.close()


async def commands_worker(arena: Arena, topology: Topology, brokers, handled: list[str]) -> RabbitBroker:
    worker: RabbitBroker = brokers()
    ctx = WorkerContext(app=arena.app, engine=arena.engine, projections=arena.bus.projections,
                        fetch=arena.bus.fetch, broker=worker, topology=topology,
                        leave_after=timedelta(minutes=5), clock=arena.app.clock, judge_key=KEY)
    consumer, model, handler = WORKER_QUEUES["commands"]

    async def counting(message: VerdictReady) -> None:
        await bind(handler, ctx)(message)
        handled.append(message.verdict)

    subscribe(worker, consumer.queue, counting, model, topology=topology)
    await worker.connect()
    await declare(worker, topology)
    await worker.start()
    return worker


async def publish_verdict(broker: RabbitBroker, topology: Topology, verdict: VerdictReady, message_id: str) -> None:
    await publish_confirmed(broker, verdict.model_dump_json().encode(), exchange=topology.exchange(WORK),
                            routing_key="judge.results", message_id=message_id)


async def dead_letter(broker: RabbitBroker, topology: Topology, message_id: str) -> DeadLetter:
    async def find() -> list[DeadLetter]:
        return [d for d in await list_dead_letters(broker, topology=topology) if d.message_id == message_id]

    return (await eventually(find))[0]


async def test_finding_8_forged_verdict_without_a_judge_signature_is_dead_lettered(
        arena: Arena, topology: Topology, brokers) -> None:
    app = arena.app
    arena.problems.upload(PROBLEM)
    battle_id = app.create_battle("admin", BattleSettings(title="t", languages=("python",)))
    app.attach_problem(battle_id, "echo", by=Admin("admin"))
    app.open_lobby(battle_id, by=Admin("admin"))
    app.join(battle_id, "ada")
    app.start_battle(battle_id, by=Admin("admin"))
    submission = app.submit(battle_id, "ada", "echo", "python", "print(1)")
    ada = app.get_room_player(battle_id, "ada").id
    handled: list[str] = []
    worker = await commands_worker(arena, topology, brokers, handled)

    # The reproducer: an AC published by whoever has the broker's credentials.
    forged = VerdictReady(room_player_id=ada, submission_id=submission, verdict="AC", details={})
    await publish_verdict(worker, topology, forged, "forged:unsigned")
    await publish_verdict(worker, topology, forged.signed(b"a-key-some-attacker-made-up-here"), "forged:wrong-key")
    assert (await dead_letter(worker, topology, "forged:unsigned")).error == "rejected: bad signature"
    letter = await dead_letter(worker, topology, "forged:wrong-key")
    assert letter.error == "rejected: bad signature" and letter.attempt is None  # at once
    assert app.recorded_verdict(ada, submission) is None

    # Signed, but for a submission nobody holds.
    stray = VerdictReady(room_player_id=ada, submission_id="no-such-submission", verdict="AC", details={})
    await publish_verdict(worker, topology, stray.signed(KEY), "stray")
    assert (await dead_letter(worker, topology, "stray")).error.startswith(
        "rejected: no submission waits for this verdict")

    # The real judge's verdict is recorded; its repeat is a no-op; a different second one is refused.
    real = VerdictReady(room_player_id=ada, submission_id=submission, verdict="WA",
                        details={"tests": [{"time_ms": 1.5}]}).signed(KEY)
    await publish_verdict(worker, topology, real, f"verdict:{submission}")
    await until(lambda: handled == ["WA"])
    assert app.recorded_verdict(ada, submission) == "WA"
    version = app.get_room_player(battle_id, "ada").version
    await publish_verdict(worker, topology, real, f"verdict:{submission}")
    await until(lambda: handled == ["WA", "WA"])
    assert app.get_room_player(battle_id, "ada").version == version  # nothing appended
    second = real.model_copy(update={"verdict": "AC"}).signed(KEY)
    await publish_verdict(worker, topology, second, "second")
    assert "already has the verdict WA" in (await dead_letter(worker, topology, "second")).error
    assert app.recorded_verdict(ada, submission) == "WA"
    assert sorted(d.message_id for d in await list_dead_letters(worker, topology=topology)) == [
        "forged:unsigned", "forged:wrong-key", "second", "stray"]
