"""Rebuilds on PostgreSQL: each equals the live projection, and none loses concurrent events."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from arena.application import ArenaApplication
from arena.bootstrap import Arena
from arena.db.tables import room_players, scoreboard_attempts
from arena.domain.acting import Admin
from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.domain.settings import BattleSettings
from arena.projections.checksum import checksum
from arena.projections.rebuild import rebuild
from arena.projections.registry import registry

from conftest import Clock

# The local bus builds the live projections a page of the log at a time (~20 s for the 10k
# events here; 150 s when it went event by event): a busy machine may still need more than
# the suite's default timeout.
pytestmark = pytest.mark.timeout(900)

VERDICTS = ["AC", "WA", "TLE", "CE", "RE", "AC"]
# what a judge sends (JudgeResult): the history keeps the compiler's message and the tests
DETAILS = {"compile_output": "", "time_ms": 12, "memory_kb": 9000, "detail": "",
           "tests": [{"index": 0, "verdict": "AC", "time_ms": 12, "memory_kb": 9000, "output": "3\n"},
                     {"index": 1, "verdict": "WA", "time_ms": 11, "memory_kb": 8800, "output": None}]}


def save_battles(app: ArenaApplication, at: datetime, battles: int, players: int, submissions: int,
                 seed: int) -> int:
    """Whole battles built in memory and saved in one append each (fast); returns players added."""
    rng = random.Random(seed)
    for _ in range(battles):
        battle = Battle.draft("admin", BattleSettings(title="bulk", duration_s=7 * 24 * 3600,
                                                      max_players=players), at)
        for slug, points in (("a", 100), ("b", 300)):
            battle.attach_problem(slug=slug, sha256=slug * 64, title=slug, points=points)
        battle.open_lobby()
        room = []
        for number in range(players):
            battle.admit(f"user-{number}")
            room.append(RoomPlayer(battle_id=battle.id, user_id=f"user-{number}", at=at))
        battle.start(at=at, by=Admin("admin"))
        for player in room:
            for minute in range(submissions):
                submission_id, problem = str(uuid.uuid4()), rng.choice("ab")
                player.submit(submission_id, problem, problem * 64, "python", "print(1)", "0" * 64,
                              at + timedelta(minutes=minute))
                player.record_verdict(submission_id, rng.choice(VERDICTS), at + timedelta(minutes=minute + 1),
                                      DETAILS, 100 if problem == "a" else 300)
                for rejudge in range(1, rng.choice((1, 1, 1, 2, 3))):  # some are rejudged, some twice
                    player.request_rejudge(submission_id, problem * 64, "print(1)", "admin",
                                           at + timedelta(minutes=minute + 2))
                    if rng.random() < 0.8:  # the rest wait for the rejudge's verdict
                        player.record_revised_verdict(submission_id, rejudge, rng.choice(VERDICTS),
                                                      at + timedelta(minutes=minute + 3), DETAILS,
                                                      100 if problem == "a" else 300)
        app.save(battle, *room)
    return battles * players


@pytest.fixture(scope="module")
def busy_arena(arena: Arena, clock: Clock) -> Arena:
    """At least 10k more events in the store: 42 battles x (5 + 20 players x 12) events."""
    before = arena.app.recorder.max_notification_id() or 0
    save_battles(arena.app, clock(), battles=42, players=20, submissions=5, seed=4)
    assert (arena.app.recorder.max_notification_id() or 0) - before >= 10_000
    return arena


@pytest.mark.parametrize("name", ["battles", "submissions", "scoreboard", "room"])
def test_a_rebuild_equals_the_live_projection(busy_arena: Arena, name: str) -> None:
    live = checksum(busy_arena.engine, name)

    result = rebuild(busy_arena.engine, busy_arena.app, name)

    assert result.checksum == live
    assert checksum(busy_arena.engine, name) == live


def test_a_rebuild_keeps_the_migrated_indexes_and_the_tracking(busy_arena: Arena) -> None:
    from test_migrations import schema_differences

    rebuild(busy_arena.engine, busy_arena.app, "scoreboard")
    rebuild(busy_arena.engine, busy_arena.app, "scoreboard")  # the shadow's index names are free again

    assert schema_differences(busy_arena.engine) == []
    save_battles(busy_arena.app, datetime.now().astimezone(), battles=1, players=2, submissions=1, seed=9)
    assert rebuild(busy_arena.engine, busy_arena.app, "scoreboard").checksum == \
        checksum(busy_arena.engine, "scoreboard")


def test_a_rebuild_while_events_keep_arriving_loses_none(busy_arena: Arena, clock: Clock) -> None:
    engine, app = busy_arena.engine, busy_arena.app
    stop, written = threading.Event(), []

    def writer() -> None:
        seed = 100
        while not stop.is_set():
            written.append(save_battles(app, clock(), battles=1, players=3, submissions=2, seed=seed))
            seed += 1

    def count(table) -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()

    players_before, attempts_before = count(room_players), count(scoreboard_attempts)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 2:  # make sure the rebuilds overlap with writes
            stop.wait(0.01)
        rebuilt = {name: rebuild(engine, app, name) for name in ("scoreboard", "room")}
    finally:
        stop.set()
        thread.join()
    busy_arena.bus.catch_up()

    assert len(written) > 2
    assert count(room_players) == players_before + sum(written)
    assert count(scoreboard_attempts) == attempts_before + 2 * sum(written)
    for name in rebuilt:
        live = checksum(engine, name)
        assert rebuild(engine, app, name).checksum == live  # a from-scratch rebuild agrees
    assert set(rebuilt) <= set(registry())


def test_on_the_embedded_sqlite_default_a_rebuild_equals_the_live_projection(tmp_path, clock: Clock) -> None:
    from test_migrations import schema_differences

    from arena.bootstrap import bootstrap
    from arena.settings import ArenaSettings

    embedded = bootstrap(ArenaSettings(data_dir=tmp_path, leave_after=10**7), clock=clock, judge=False)
    try:
        save_battles(embedded.app, clock(), battles=3, players=5, submissions=3, seed=5)
        for name in registry():
            live = checksum(embedded.engine, name)
            assert rebuild(embedded.engine, embedded.app, name).checksum == live
        assert schema_differences(embedded.engine) == []
    finally:
        embedded.close()
