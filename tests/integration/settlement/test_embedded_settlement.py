"""The settlement on the embedded default (SQLite, the local bus): a battle's end settles it into
the ledger, the season leaderboard and the ratings, in process, equal to an independent oracle."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.bootstrap import bootstrap
from arena.domain.room_player import room_player_id
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.domain.settlement import SettlementStatus
from arena.projections.checksum import checksum
from arena.projections.ledger import ledger_sums, read_leaderboard
from arena.projections.ratings import read_rating
from arena.projections.rebuild import rebuild
from arena.settings import ArenaSettings
from oracle import Made, expected

PROBLEMS = {"echo": 100, "sum": 250}

ADMIN = Admin("admin")


@pytest.fixture
def arena(tmp_path: Path):
    instance = bootstrap(ArenaSettings(data_dir=tmp_path, settle_wait_s=600), judge=False, timers=False)
    for slug, points in PROBLEMS.items():
        instance.problems.upload(f"---\ntitle: {slug}\nslug: {slug}\npoints: {points}\n"
                                 "tests:\n  - input: '1'\n    output: '1'\n---\nDo it.\n".encode())
    yield instance
    instance.close()


def play(arena, users: list[str], made: list[Made], judge_all: bool = True):
    app = arena.app
    battle_id = app.create_battle("admin", BattleSettings(title="t", scoring="points", season="test-season"))
    for slug in PROBLEMS:
        app.attach_problem(battle_id, slug, by=ADMIN)
    app.open_lobby(battle_id, by=ADMIN)
    for user in users:
        app.join(battle_id, user)
    app.start_battle(battle_id, by=ADMIN)
    unjudged = []
    for m in sorted(made, key=lambda m: m.order):
        submission = app.submit(battle_id, m.user, m.problem, "python", "print(1)")
        if judge_all or m.verdict != "later":
            app.record_verdict(room_player_id(battle_id, m.user), submission, m.verdict, {})
        else:
            unjudged.append((m.user, submission))
    return battle_id, unjudged


def test_an_ended_battle_is_settled_into_the_ledger_leaderboard_and_ratings(arena) -> None:
    users = ["ada", "bob", "cy", "dee"]
    made = [Made("ada", "echo", 1, "WA"), Made("ada", "echo", 2, "AC"), Made("bob", "sum", 3, "AC"),
            Made("cy", "echo", 4, "AC"), Made("cy", "sum", 5, "AC"), Made("bob", "echo", 6, "TLE")]
    battle_id, _ = play(arena, users, made)
    arena.app.end_battle(battle_id, reason="done", by=ADMIN)

    settlement = arena.app.get_settlement(battle_id)
    assert settlement.status is SettlementStatus.APPLIED and settlement.revision == 1
    sums = ledger_sums(arena.engine, str(battle_id))
    assert {user: (rank, points) for user, (rank, points, _) in sums.items()} == expected(users, made, PROBLEMS)
    assert {h for _, _, h in sums.values()} == {settlement.result_hash}
    board = {row["user_id"]: (row["rank"], row["points"], row["battles"])
             for row in read_leaderboard(arena.engine, "test-season")}
    assert board == {"cy": (1, 350, 1), "bob": (2, 250, 1), "ada": (3, 100, 1), "dee": (4, 0, 1)}
    ratings = {user: read_rating(arena.engine, user) for user in users}
    assert ratings["cy"]["rating"] > ratings["ada"]["rating"] > ratings["dee"]["rating"]
    assert [h["battle_id"] for h in ratings["ada"]["history"]] == [str(battle_id)]


def test_a_late_verdict_revises_the_settlement_and_the_ledger_sums_to_the_new_standing(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path, settle_wait_s=0), judge=False, timers=False)
    try:
        for slug, points in PROBLEMS.items():
            arena.problems.upload(f"---\ntitle: {slug}\nslug: {slug}\npoints: {points}\n"
                                  "tests:\n  - input: '1'\n    output: '1'\n---\nDo it.\n".encode())
        users = ["ada", "bob"]
        made = [Made("ada", "echo", 1, "AC"), Made("bob", "sum", 2, "later")]
        battle_id, unjudged = play(arena, users, made, judge_all=False)
        arena.app.end_battle(battle_id, reason="done", by=ADMIN)
        first = arena.app.get_settlement(battle_id)
        assert first.revision == 1 and first.missing == [unjudged[0][1]]

        (user, submission), = unjudged
        arena.app.record_verdict(room_player_id(battle_id, user), submission, "AC", {})

        second = arena.app.get_settlement(battle_id)
        assert second.revision == 2 and second.status is SettlementStatus.APPLIED
        now = expected(users, [Made("ada", "echo", 1, "AC"), Made("bob", "sum", 2, "AC")], PROBLEMS)
        sums = ledger_sums(arena.engine, str(battle_id))
        assert {u: (r, p) for u, (r, p, _) in sums.items()} == now
        board = {row["user_id"]: (row["points"], row["battles"]) for row in read_leaderboard(arena.engine, "test-season")}
        assert board == {"bob": (250, 1), "ada": (100, 1)}

        live = {name: checksum(arena.engine, name) for name in ("ledger", "ratings")}
        for name in live:
            assert rebuild(arena.engine, arena.app, name).checksum == live[name]
    finally:
        arena.close()
