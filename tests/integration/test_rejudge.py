"""Rejudges (docs/adr/0025): on the embedded default with its real judge, a rejudge is a new
judging recorded beside the first verdict; on PostgreSQL, a rejudge of a settled battle that
flips an accept makes settlement revision 2 and the ledger still verifies."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from arena.bootstrap import Arena, bootstrap
from arena.domain.acting import Admin
from arena.domain.battle_errors import NotOwner, WrongBattleState
from arena.domain.room_player import room_player_id
from arena.domain.room_player_errors import NotJudgedYet
from arena.domain.settings import BattleSettings
from arena.domain.standings import facts_of_players
from arena.handlers.judging import VerdictReady, record_verdict
from arena.projections.battle_facts import BattleFactsReader
from arena.projections.room import read_room
from arena.projections.scoreboard import read_scoreboard
from arena.projections.submissions import get_submission
from arena.settings import ArenaSettings
from test_ledger_cli import PROBLEMS, arena_cli, open_arena, play

ECHO = """---
title: Echo
slug: echo
tests:
  - {input: "%s\\n", output: "%s\\n"}
---
Print what you read.
"""
ADMIN = Admin("admin")


def running_battle(arena: Arena, users: tuple[str, ...] = ("ada",)) -> UUID:
    arena.problems.upload((ECHO % ("42", "42")).encode())
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t", languages=("python",)))
    arena.app.attach_problem(battle_id, "echo", by=ADMIN)
    arena.app.open_lobby(battle_id, by=ADMIN)
    for user in users:
        arena.app.join(battle_id, user)
    arena.app.start_battle(battle_id, by=ADMIN)
    return battle_id


def topics(arena: Arena, battle_id: UUID, user: str) -> list[str]:
    return [stored.topic.rsplit(".", 1)[-1]
            for stored in arena.app.recorder.select_events(room_player_id(battle_id, user))]


@pytest.fixture
def embedded(tmp_path: Path):
    arena = bootstrap(ArenaSettings(data_dir=tmp_path))
    yield arena
    arena.close()


def test_a_rejudge_after_changing_nothing_gives_the_same_verdict_as_a_new_event_beside_the_first(embedded) -> None:
    battle_id = running_battle(embedded)
    submission = embedded.app.submit(battle_id, "ada", "echo", "python", "print(input())")
    embedded.judge.wait_idle()
    board_before = read_scoreboard(embedded.engine, str(battle_id))

    assert embedded.app.rejudge_submission(room_player_id(battle_id, "ada"), submission, by=ADMIN) == 1
    embedded.judge.wait_idle()

    assert topics(embedded, battle_id, "ada")[-4:] == [
        "SubmissionReceived", "VerdictRecorded", "RejudgeRequested", "VerdictRevised"]
    player = embedded.app.get_room_player(battle_id, "ada")
    assert (player.verdict_of(submission, 0), player.verdict_of(submission, 1)) == ("AC", "AC")
    row = get_submission(embedded.engine, submission)
    assert (row["status"], row["verdict"], row["points"]) == ("judged", "AC", 100)
    assert read_scoreboard(embedded.engine, str(battle_id)) == board_before
    assert player.score == 100


def test_a_rejudge_judges_against_the_battles_locked_problem_not_a_replaced_one(embedded) -> None:
    battle_id = running_battle(embedded)
    submission = embedded.app.submit(battle_id, "ada", "echo", "python", "print(42)")
    embedded.judge.wait_idle()
    embedded.problems.upload((ECHO % ("7", "7")).encode())  # the slug now names other tests

    embedded.app.rejudge_submission(room_player_id(battle_id, "ada"), submission, by=ADMIN)
    embedded.judge.wait_idle()

    assert embedded.app.get_room_player(battle_id, "ada").verdict_of(submission, 1) == "AC"


def test_a_problem_rejudge_counts_the_judged_submissions_of_that_problem_and_follows_on_the_board(embedded) -> None:
    battle_id = running_battle(embedded, users=("ada", "bob"))
    for user, source in (("ada", "print(input())"), ("ada", "print(0)"), ("bob", "print(1)")):
        embedded.app.submit(battle_id, user, "echo", "python", source)
    embedded.judge.wait_idle()

    assert embedded.app.rejudge_problem(battle_id, "echo", by=ADMIN) == 3
    embedded.judge.wait_idle()

    for user, rejudged in (("ada", 2), ("bob", 1)):
        assert topics(embedded, battle_id, user).count("VerdictRevised") == rejudged
    rows = read_scoreboard(embedded.engine, str(battle_id))["rows"]
    assert [(r["user_id"], r["solved"]) for r in rows] == [("ada", 1), ("bob", 0)]


def test_only_the_battles_admins_rejudge_and_only_judged_submissions_of_a_battle_not_cancelled(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False)
    try:
        battle_id = running_battle(arena)
        waiting = arena.app.submit(battle_id, "ada", "echo", "python", "print(input())")
        player_id = room_player_id(battle_id, "ada")
        with pytest.raises(NotJudgedYet):
            arena.app.rejudge_submission(player_id, waiting, by=ADMIN)
        with pytest.raises(NotOwner):
            arena.app.rejudge_problem(battle_id, "echo", by=Admin("another-admin"))
        assert arena.app.rejudge_problem(battle_id, "echo", by=Admin("root", superadmin=True)) == 0
        arena.app.record_verdict(player_id, waiting, "AC", {})
        arena.app.end_battle(battle_id, reason="done", by=ADMIN)
        assert arena.app.rejudge_problem(battle_id, "echo", by=ADMIN) == 1  # ended: still rejudged
        cancelled = running_battle(arena)
        arena.app.cancel_battle(cancelled, reason="x", by=ADMIN)
        with pytest.raises(WrongBattleState):
            arena.app.rejudge_problem(cancelled, "echo", by=ADMIN)
    finally:
        arena.close()


def test_a_late_result_of_one_judging_never_overwrites_another_judgings_verdict(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False)
    key = b"k" * 32
    try:
        battle_id = running_battle(arena)
        submission = arena.app.submit(battle_id, "ada", "echo", "python", "print(input())")
        player_id = room_player_id(battle_id, "ada")

        def judged(verdict: str, rejudge: int = 0) -> bool:
            message = VerdictReady(room_player_id=player_id, submission_id=submission, verdict=verdict,
                                   details={}, rejudge=rejudge)
            return record_verdict(message.signed(key), arena.app, key)

        assert judged("AC")
        assert read_room(arena.engine, str(battle_id))["players"][0]["score"] == 100
        arena.app.rejudge_submission(player_id, submission, by=ADMIN)
        arena.app.rejudge_submission(player_id, submission, by=ADMIN)
        assert judged("AC") is False  # the first judging's result again: a no-op, not a rejection
        assert judged("WA", rejudge=1) is False  # superseded by rejudge 2: dropped
        assert judged("TLE", rejudge=2) is True
        assert judged("TLE", rejudge=2) is False
        player = arena.app.get_room_player(battle_id, "ada")
        assert [player.verdict_of(submission, n) for n in range(3)] == ["AC", None, "TLE"]
        assert get_submission(arena.engine, submission)["verdict"] == "TLE"
        (row,) = read_room(arena.engine, str(battle_id))["players"]
        assert row["score"] == player.score == 0  # the room took the accept's points back
    finally:
        arena.close()


def test_the_room_keeps_a_problems_points_when_the_accept_holding_them_is_taken_away_but_another_remains(
        tmp_path: Path) -> None:
    """Finding (ADR 25): the room's score lost the points; the scoreboard never did."""
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False)
    key = b"k" * 32
    try:
        battle_id = running_battle(arena)
        player_id = room_player_id(battle_id, "ada")
        first, second = (arena.app.submit(battle_id, "ada", "echo", "python", source)
                         for source in ("print(input())", "print(input() )"))
        for submission in (first, second):
            message = VerdictReady(room_player_id=player_id, submission_id=submission, verdict="AC", details={})
            assert record_verdict(message.signed(key), arena.app, key)
        arena.app.rejudge_submission(player_id, first, by=ADMIN)

        revised = VerdictReady(room_player_id=player_id, submission_id=first, verdict="WA", details={}, rejudge=1)
        assert record_verdict(revised.signed(key), arena.app, key)

        (row,) = read_room(arena.engine, str(battle_id))["players"]
        assert row["score"] == arena.app.get_room_player(battle_id, "ada").score == 100
        assert read_scoreboard(arena.engine, str(battle_id))["rows"][0]["solved"] == 1
    finally:
        arena.close()


def test_a_rejudge_left_waiting_by_a_crash_is_judged_at_the_next_start(tmp_path: Path) -> None:
    settings = ArenaSettings(data_dir=tmp_path)
    first = bootstrap(settings)
    battle_id = running_battle(first)
    submission = first.app.submit(battle_id, "ada", "echo", "python", "print(input())")
    first.judge.wait_idle()
    first.close()
    crashed = bootstrap(settings, judge=False)  # requests a rejudge, "crashes" before judging it
    crashed.app.rejudge_submission(room_player_id(battle_id, "ada"), submission, by=ADMIN)
    assert get_submission(crashed.engine, submission)["status"] == "rejudging"
    crashed.close()

    second = bootstrap(settings)
    try:
        second.judge.wait_idle()
        assert get_submission(second.engine, submission)["status"] == "judged"
        assert second.app.get_room_player(battle_id, "ada").verdict_of(submission, 1) == "AC"
    finally:
        second.close()


def test_on_postgresql_a_rejudge_that_flips_an_accept_makes_settlement_revision_2_and_the_ledger_verifies(
        postgres_url: str, tmp_path: Path) -> None:
    arena = open_arena(ArenaSettings(database_url=postgres_url, data_dir=tmp_path, settle_wait_s=600))
    try:
        # ada solves echo (100), bob solves sum (250), cy nothing: bob 1, ada 2, cy 3
        battle_id, _ = play(arena, [("ada", "echo", "AC"), ("bob", "sum", "AC"), ("cy", "echo", "WA")])
        assert arena.app.get_settlement(battle_id).revision == 1
        ada = room_player_id(battle_id, "ada")
        (submission,) = arena.app.get_room_player(battle_id, "ada").submissions

        assert arena.app.rejudge_problem(battle_id, "echo", by=ADMIN) == 2
        arena.app.record_revised_verdict(ada, submission, 1, "WA", {})

        settlement = arena.app.get_settlement(battle_id)
        assert settlement.revision == 2
        battle = arena.app.get_battle(battle_id)
        players = [arena.app.get_room_player(battle_id, user) for user in battle.players]
        read = BattleFactsReader(arena.engine)(battle)  # the settlement's reader: the latest verdicts
        assert sorted(read.attempts) == sorted(facts_of_players(battle.ended_at, battle.players, players).attempts)
        assert {a.verdict for a in read.attempts if a.user_id == "ada"} == {"WA"}
        assert list(read.awaiting) == []  # cy's rejudge waits, but cy's submission has its verdict
        verified = arena_cli("verify", str(battle_id), settings=arena.settings)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert verified.stdout.strip().splitlines()[-1].endswith("all match")
        with arena.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT user_id, revision, rank, points FROM settlement_ledger WHERE battle_id = %s ORDER BY revision, user_id",
                (str(battle_id),)).all()
        assert [tuple(r) for r in rows if r.revision == 2] == [("ada", 2, 0, -PROBLEMS["echo"]), ("cy", 2, -1, 0)]
    finally:
        arena.close()


