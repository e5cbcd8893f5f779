"""`arena ledger verify | export` as an operator runs them: a subprocess on the embedded default
(SQLite) and on PostgreSQL, against battles settled in process, before and after a ledger row is
altered by hand."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import text

from arena.bootstrap import Arena, bootstrap
from arena.domain.acting import Admin
from arena.domain.room_player import room_player_id
from arena.domain.settings import BattleSettings
from arena.settings import ArenaSettings

PROBLEMS = {"echo": 100, "sum": 250}
ADMIN = Admin("admin")
# ada solves echo, bob solves sum, cy nothing: ranks bob 1, ada 2, cy 3
SOLVED = [("ada", "echo", "AC"), ("bob", "sum", "AC"), ("cy", "echo", "WA")]


def arena_cli(*args: str, settings: ArenaSettings) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}  # only the test's settings
    env |= {"ARENA_DATA_DIR": str(settings.data_dir), "ARENA_LOG_LEVEL": "WARNING"}
    if settings.database_url:
        env["ARENA_DATABASE_URL"] = settings.database_url
    return subprocess.run([sys.executable, "-m", "arena.cli", "ledger", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def play(arena: Arena, made: list[tuple[str, str, str | None]], end: bool = True) -> tuple[UUID, list[str]]:
    """A points battle; a verdict of None leaves the submission waiting. Returns the unjudged ones."""
    app = arena.app
    battle_id = app.create_battle("admin", BattleSettings(title="t", scoring="points", season="cli-season"))
    for slug in PROBLEMS:
        app.attach_problem(battle_id, slug, by=ADMIN)
    app.open_lobby(battle_id, by=ADMIN)
    for user in dict.fromkeys(user for user, _, _ in made):
        app.join(battle_id, user)
    app.start_battle(battle_id, by=ADMIN)
    unjudged = []
    for user, problem, verdict in made:
        submission = app.submit(battle_id, user, problem, "python", "print(1)")
        if verdict is None:
            unjudged.append(submission)
        else:
            app.record_verdict(room_player_id(battle_id, user), submission, verdict, {})
    if end:
        app.end_battle(battle_id, reason="done", by=ADMIN)
    return battle_id, unjudged


def open_arena(settings: ArenaSettings) -> Arena:
    arena = bootstrap(settings, migrate=True, judge=False, timers=False)
    for slug, points in PROBLEMS.items():
        arena.problems.upload(f"---\ntitle: {slug}\nslug: {slug}\npoints: {points}\n"
                              "tests:\n  - input: '1'\n    output: '1'\n---\nDo it.\n".encode())
    return arena


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Arena]:
    arena = open_arena(ArenaSettings(data_dir=tmp_path, settle_wait_s=600))
    yield arena
    arena.close()


def alter(arena: Arena, battle_id: UUID, user: str, change: str, revision: int = 1) -> None:
    with arena.engine.begin() as conn:  # by hand, as a careless operator would
        altered = conn.execute(text(f"UPDATE settlement_ledger SET {change} WHERE battle_id = :b AND user_id = :u "
                                    "AND revision = :r"), {"b": str(battle_id), "u": user, "r": revision})
        assert altered.rowcount == 1


def test_verify_says_all_match_for_a_settled_battle(embedded: Arena) -> None:
    play(embedded, SOLVED)

    done = arena_cli("verify", settings=embedded.settings)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "verified 1 settlements, 3 ledger rows: all match"
    assert "settlements" in done.stderr  # the progress bar


def test_verify_names_the_battle_and_user_of_a_ledger_row_altered_by_hand(embedded: Arena) -> None:
    battle_id, _ = play(embedded, SOLVED)
    untouched, _ = play(embedded, SOLVED)
    alter(embedded, battle_id, "bob", "points = points + 1")

    done = arena_cli("verify", settings=embedded.settings)

    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert f"battle {battle_id} user bob: points: expected 250, found 251" in lines
    assert not any(str(untouched) in line for line in lines)
    assert lines[-1] == "verified 2 settlements, 6 ledger rows: 1 differences"
    one = arena_cli("verify", str(untouched), settings=embedded.settings)
    assert one.returncode == 0, one.stdout + one.stderr
    assert one.stdout.strip().splitlines()[-1] == "verified 1 settlements, 3 ledger rows: all match"


def test_a_settlement_waiting_for_verdicts_is_reported_pending_not_as_a_difference(embedded: Arena) -> None:
    battle_id, _ = play(embedded, [("ada", "echo", "AC"), ("bob", "sum", None)])

    done = arena_cli("verify", settings=embedded.settings)

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"battle {battle_id}: pending, waiting for 1 verdicts" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "verified 1 settlements, 0 ledger rows: all match (1 not yet applied)"


def test_verify_checks_each_revisions_hash_after_a_late_verdict(tmp_path: Path) -> None:
    arena = open_arena(ArenaSettings(data_dir=tmp_path, settle_wait_s=0))  # settles at once, bob missing
    try:
        battle_id, (late,) = play(arena, [("ada", "echo", "AC"), ("bob", "sum", None)])
        arena.app.record_verdict(room_player_id(battle_id, "bob"), late, "AC", {})  # revision 2
        settlement = arena.app.get_settlement(battle_id)
        assert settlement.revision == 2
        good = arena_cli("verify", settings=arena.settings)
        assert good.returncode == 0, good.stdout + good.stderr
        assert good.stdout.strip().splitlines()[-1] == "verified 1 settlements, 4 ledger rows: all match"
        alter(arena, battle_id, "ada", "result_hash = 'f00d'", revision=2)

        done = arena_cli("verify", str(battle_id), settings=arena.settings)
    finally:
        arena.close()

    assert done.returncode == 1
    assert (f"battle {battle_id} user ada: result_hash of revision 2: "
            f"expected {settlement.result_hash}, found f00d") in done.stdout


def test_export_writes_every_ledger_row_as_csv_and_as_json(embedded: Arena) -> None:
    battle_id, _ = play(embedded, SOLVED)

    as_csv = arena_cli("export", str(battle_id), settings=embedded.settings)
    as_json = arena_cli("export", str(battle_id), "--format", "json", settings=embedded.settings)

    assert as_csv.returncode == 0 and as_json.returncode == 0, as_csv.stderr + as_json.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["user_id"], r["revision"], r["rank"], r["points"]) for r in rows] == [
        ("ada", "1", "2", "100"), ("bob", "1", "1", "250"), ("cy", "1", "3", "0")]
    assert {r["battle_id"] for r in rows} == {str(battle_id)}
    assert {r["result_hash"] for r in rows} == {embedded.app.get_settlement(battle_id).result_hash}
    objects = json.loads(as_json.stdout)
    assert [{k: str(v) for k, v in o.items()} for o in objects] == rows


def test_export_of_a_battle_without_a_settlement_is_one_clear_line_and_exit_1(embedded: Arena) -> None:
    running, _ = play(embedded, SOLVED, end=False)

    for battle_id in (running, uuid.uuid4()):
        done = arena_cli("export", str(battle_id), settings=embedded.settings)
        assert done.returncode == 1
        assert done.stdout == ""
        assert done.stderr.strip() == (f"arena: battle {battle_id} has no settlement "
                                       "(not ended, cancelled, or unknown)")


def test_verify_on_postgresql_finds_an_altered_row(postgres_url: str, tmp_path: Path) -> None:
    # The session's database holds other tests' battles too: the good run names its battle.
    arena = open_arena(ArenaSettings(database_url=postgres_url, data_dir=tmp_path, settle_wait_s=600))
    try:
        battle_id, _ = play(arena, SOLVED)
        good = arena_cli("verify", str(battle_id), settings=arena.settings)
        assert good.returncode == 0, good.stdout + good.stderr
        assert good.stdout.strip().splitlines()[-1] == "verified 1 settlements, 3 ledger rows: all match"

        alter(arena, battle_id, "cy", "rank = rank - 1")
        bad = arena_cli("verify", settings=arena.settings)
    finally:
        arena.close()

    assert bad.returncode == 1
    assert f"battle {battle_id} user cy: rank: expected 3, found 2" in bad.stdout
