"""The settlement on the production shape (PostgreSQL, RabbitMQ, `arena relay`, `arena worker`):
whatever is delivered twice, killed or cut, each battle ends with exactly one settlement and a
ledger equal to an oracle computed here from the submissions the test made."""

from __future__ import annotations

import asyncio
import random
import subprocess
import time
from uuid import UUID

import aio_pika
import pytest
from sqlalchemy import text

from arena.bootstrap import Arena
from arena.bus.envelope import envelope_from_stored
from arena.domain.room_player import room_player_id
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.domain.settlement import SettlementStatus, settlement_id
from arena.projections.checksum import checksum
from arena.projections.ledger import ledger_sums, read_leaderboard
from arena.projections.ratings import read_rating
from arena.projections.rebuild import rebuild
from production import Production, eventually
from oracle import Made, expected

PROBLEMS = {"echo": 100, "sum": 250, "max": 400}
WORKER = ("worker", "--only", "settlement,ratings")

ADMIN = Admin("admin")


def play(arena: Arena, players: int = 24, seed: int = 7) -> tuple[UUID, list[str], list[Made]]:
    for slug, points in PROBLEMS.items():
        arena.problems.upload(f"---\ntitle: {slug}\nslug: {slug}\npoints: {points}\n"
                              "tests:\n  - input: '1'\n    output: '1'\n---\nDo it.\n".encode())
    app, rng = arena.app, random.Random(seed)
    battle_id = app.create_battle("admin", BattleSettings(title="t", scoring="points", season="s1", max_players=1000))
    for slug in PROBLEMS:
        app.attach_problem(battle_id, slug, by=ADMIN)
    app.open_lobby(battle_id, by=ADMIN)
    users = [f"player-{i:03d}" for i in range(players)]
    for user in users:
        app.join(battle_id, user)
    app.start_battle(battle_id, by=ADMIN)
    made = []
    for order in range(players * 3):
        m = Made(rng.choice(users), rng.choice(list(PROBLEMS)), order, rng.choice(["AC", "WA", "AC", "TLE"]))
        submission = app.submit(battle_id, m.user, m.problem, "python", "print(1)")
        app.record_verdict(room_player_id(battle_id, m.user), submission, m.verdict, {})
        made.append(m)
    return battle_id, users, made


def settled_events(arena: Arena, battle_id: UUID) -> list[str]:
    stored = arena.app.recorder.select_events(settlement_id(battle_id))
    return [event.topic.rsplit(".", 1)[1] for event in stored]


def applied(arena: Arena, battle_id: UUID):
    def check():
        try:
            settlement = arena.app.repository.get(settlement_id(battle_id))
        except Exception:
            return False
        return settlement.status is SettlementStatus.APPLIED
    return check


def assert_exactly_one_settlement_equal_to_the_oracle(arena: Arena, battle_id: UUID, users: list[str],
                                                       made: list[Made]) -> None:
    assert settled_events(arena, battle_id).count("Settled") == 1
    oracle = expected(users, made, PROBLEMS)
    sums = ledger_sums(arena.engine, str(battle_id))
    assert {user: (rank, points) for user, (rank, points, _) in sums.items()} == oracle
    board = {row["user_id"]: (row["points"], row["battles"]) for row in read_leaderboard(arena.engine, "s1", limit=1000)}
    assert board == {user: (points, 1) for user, (_, points) in oracle.items()}


@pytest.mark.parametrize("crash_at", ["settlement.before_save", "settlement.after_save", "settlement.after_ledger"])
def test_a_settlement_process_killed_at_each_step_and_restarted_settles_exactly_once(
        production: Production, arena: Arena, crash_at: str) -> None:
    production.start("relay")
    doomed = production.start(*WORKER, ARENA_CRASH_AT=crash_at)
    battle_id, users, made = play(arena)
    arena.app.end_battle(battle_id, reason="time is up", by=ADMIN)

    assert doomed.wait(timeout=60) == -9, doomed.stderr.read().decode()[-2000:]
    production.start(*WORKER)
    eventually(applied(arena, battle_id))
    eventually(lambda: read_rating(arena.engine, users[0]))

    assert_exactly_one_settlement_equal_to_the_oracle(arena, battle_id, users, made)


def test_an_ended_battle_is_in_the_ledger_without_waiting_for_the_settled_copy(arena: Arena) -> None:
    """The handler of Battle.Ended applies the revision it settled, read back from the store; no
    relay runs here, so no copy of Settled is ever delivered."""
    from arena.handlers.settlement import SettlementProcess

    battle_id, users, made = play(arena, players=8)
    arena.app.end_battle(battle_id, reason="time is up", by=ADMIN)
    ended = next(e for e in arena.app.recorder.select_events(battle_id) if e.topic.endswith(".Ended"))

    SettlementProcess(arena.app, arena.engine, arena.bus.fetch)(envelope_from_stored(ended, arena.app.mapper.transcoder))

    assert arena.app.get_settlement(battle_id).status is SettlementStatus.APPLIED
    assert_exactly_one_settlement_equal_to_the_oracle(arena, battle_id, users, made)


def test_battle_ended_delivered_three_times_settles_once(production: Production, arena: Arena) -> None:
    production.start("relay")
    production.start(*WORKER)
    battle_id, users, made = play(arena)
    arena.app.end_battle(battle_id, reason="time is up", by=ADMIN)
    eventually(applied(arena, battle_id))

    ended = next(e for e in arena.app.recorder.select_events(battle_id) if e.topic.endswith(".Ended"))
    envelope = envelope_from_stored(ended, arena.app.mapper.transcoder)
    asyncio.run(_publish_twice(production.env["ARENA_BROKER_URL"], envelope))
    time.sleep(2)  # the duplicates are consumed (each a no-op)

    assert_exactly_one_settlement_equal_to_the_oracle(arena, battle_id, users, made)
    assert settled_events(arena, battle_id) == ["Opened", "Settled", "Applied"]


def test_broker_connections_cut_mid_settlement_lose_and_double_nothing(production: Production, arena: Arena) -> None:
    production.start("relay")
    # The worker stalls after saving the settlement, before its ack: the cut lands right there.
    production.start(*WORKER, ARENA_STALL_AT="settlement.after_save:8")
    battle_id, users, made = play(arena, players=60)
    arena.app.end_battle(battle_id, reason="time is up", by=ADMIN)
    eventually(lambda: "Settled" in settled_events(arena, battle_id), every=0.02)
    stalled_since = time.monotonic()  # Battle.Ended is in its handler, unacked, for 8 s from here
    subprocess.run(["rabbitmqctl", "close_all_connections", "--vhost", _vhost(production), "test: cut"],
                   check=True, capture_output=True, timeout=60)
    assert time.monotonic() - stalled_since < 7, "rabbitmqctl took longer than the stall: the cut missed it"
    eventually(applied(arena, battle_id), timeout=90)
    eventually(lambda: read_rating(arena.engine, users[0]), timeout=90)

    assert_exactly_one_settlement_equal_to_the_oracle(arena, battle_id, users, made)


def test_the_ledger_leaderboard_and_ratings_rebuilt_from_the_events_equal_the_live_ones(
        production: Production, arena: Arena) -> None:
    production.start("relay")
    production.start(*WORKER)
    battles = []
    for seed in (1, 2):
        battle_id, users, _ = play(arena, players=12, seed=seed)
        arena.app.end_battle(battle_id, reason="done", by=ADMIN)
        battles.append((battle_id, users))
    for battle_id, users in battles:
        eventually(applied(arena, battle_id))
    # The same players play both battles: wait until each is rated for both, not just for one.
    eventually(lambda: all(rated_in(arena, user) == {str(b) for b, _ in battles} for user in battles[1][1]))

    for name in ("ledger", "ratings"):
        live = checksum(arena.engine, name)
        assert rebuild(arena.engine, arena.app, name).checksum == live, name


def test_ledger_rows_are_append_only_and_unique_per_revision_and_user(production: Production, arena: Arena) -> None:
    production.start("relay")
    production.start(*WORKER)
    battle_id, _, _ = play(arena, players=5)
    arena.app.end_battle(battle_id, reason="done", by=ADMIN)
    eventually(applied(arena, battle_id))
    with arena.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM settlement_ledger LIMIT 1")).mappings().one()
    with pytest.raises(Exception, match="duplicate key|unique"):
        with arena.engine.begin() as conn:
            conn.execute(text("INSERT INTO settlement_ledger SELECT * FROM settlement_ledger LIMIT 1"))
    assert row["idempotency_key"] == f"{settlement_id(battle_id)}:1:{row['user_id']}"


def rated_in(arena: Arena, user: str) -> set[str]:
    return {change["battle_id"] for change in (read_rating(arena.engine, user) or {}).get("history", [])}


def _vhost(production: Production) -> str:
    return production.env["ARENA_BROKER_URL"].rsplit("/", 1)[1]


async def _publish_twice(url: str, envelope) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("arena.events")
        for _ in range(2):
            await exchange.publish(aio_pika.Message(envelope.model_dump_json().encode(),
                                                    message_id=envelope.idempotency_key), routing_key="battle.ended")

