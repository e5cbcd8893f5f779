"""Operators' commands that cannot mislead (issue 13, item 6): run as an operator runs them, a
subprocess of `arena` on the embedded default (SQLite) or a PostgreSQL database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from arena.bootstrap import Arena, bootstrap
from arena.db.tables import room_players
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.projections.rebuild import RebuildRefused, _refuse_implausible
from arena.settings import ArenaSettings

ADMIN = Admin("admin")


def arena_cli(*args: str, data_dir: Path | None = None, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}  # only the test's settings
    env |= {"ARENA_LOG_LEVEL": "WARNING", **({"ARENA_DATA_DIR": str(data_dir)} if data_dir else {}), **variables}
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def room_of_three(tmp_path: Path) -> Iterator[Arena]:
    """An embedded arena whose room read model holds three players."""
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), migrate=True, judge=False, timers=False)
    arena.problems.upload(b"---\ntitle: echo\nslug: echo\ntests:\n  - input: '1'\n    output: '1'\n---\nEcho.\n")
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t"))
    arena.app.attach_problem(battle_id, "echo", by=ADMIN)
    arena.app.open_lobby(battle_id, by=ADMIN)
    for user in ("ada", "bob", "cy"):
        arena.app.join(battle_id, user)
    yield arena
    arena.close()


def live_rows(arena: Arena) -> int:
    with arena.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(room_players)).scalar_one()


def test_rebuild_with_page_zero_or_negative_is_refused_and_the_live_model_kept(room_of_three: Arena) -> None:
    before = arena_cli("projections", "checksum", "room", data_dir=room_of_three.settings.data_dir)

    for page in ("0", "-5"):
        done = arena_cli("projections", "rebuild", "room", "--page", page, data_dir=room_of_three.settings.data_dir)
        assert done.returncode == 2, done.stderr
        assert "--page" in done.stderr and "not positive" in done.stderr

    assert live_rows(room_of_three) == 3
    after = arena_cli("projections", "checksum", "room", data_dir=room_of_three.settings.data_dir)
    assert after.stdout == before.stdout


def test_rebuild_and_checksum_lines_are_labelled_and_progress_counts_log_positions(room_of_three: Arena) -> None:
    done = arena_cli("projections", "rebuild", "room", data_dir=room_of_three.settings.data_dir)

    assert done.returncode == 0, done.stderr
    checksum = arena_cli("projections", "checksum", "room", data_dir=room_of_three.settings.data_dir)
    assert checksum.stdout.startswith("room checksum ") and done.stdout == checksum.stdout
    log_end = room_of_three.app.recorder.max_notification_id()
    assert f"{log_end}/{log_end} log positions" in done.stderr
    assert "3 rows" in done.stderr


def test_a_rebuild_with_fewer_rows_than_the_live_model_is_not_swapped_in_unless_forced(room_of_three: Arena) -> None:
    with room_of_three.engine.begin() as conn:  # a row no event explains
        conn.execute(text("INSERT INTO room_players SELECT :id, battle_id, 'ghost', state, joined_at, last_seen, "
                          "score, submissions FROM room_players LIMIT 1"),
                     {"id": str(uuid.uuid4())})

    refused = arena_cli("projections", "rebuild", "room", data_dir=room_of_three.settings.data_dir)

    assert refused.returncode == 1
    assert "not swapped in" in refused.stderr and "3 rows where the live model has 4" in refused.stderr
    assert live_rows(room_of_three) == 4
    forced = arena_cli("projections", "rebuild", "room", "--force", data_dir=room_of_three.settings.data_dir)
    assert forced.returncode == 0, forced.stderr
    assert live_rows(room_of_three) == 3


def test_a_rebuild_that_applied_nothing_from_a_log_holding_its_events_is_refused(room_of_three: Arena) -> None:
    from arena.projections.registry import SHADOW, registry

    topics = tuple(registry()["room"].build(SHADOW).topics)
    with pytest.raises(RebuildRefused, match="applied no event"):
        _refuse_implausible(room_of_three.app, room_of_three.engine, topics, applied=0, rebuilt=0, live=0,
                            force=True)


def test_version_and_token_ttl_refusals() -> None:
    version = arena_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("arena ")
    for ttl in ("0", "-60", "soon"):
        done = arena_cli("token", "ada", "--ttl", ttl)
        assert done.returncode == 2 and "--ttl" in done.stderr, done.stderr


def test_a_bad_setting_is_named_by_its_variable_without_a_traceback() -> None:
    done = arena_cli("projections", "list", ARENA_JUDGE_SLOTS="many")

    assert done.returncode == 2
    assert done.stderr.startswith("arena: bad setting: ARENA_JUDGE_SLOTS: ") and "Traceback" not in done.stderr


def test_a_database_url_that_is_not_postgresql_is_refused_not_replaced_by_sqlite(tmp_path: Path) -> None:
    done = arena_cli("db", "current", data_dir=tmp_path, ARENA_DATABASE_URL="mysql://root@localhost/arena")

    assert done.returncode == 2 and "ARENA_DATABASE_URL" in done.stderr and "PostgreSQL" in done.stderr
    assert not any(tmp_path.iterdir())  # no SQLite store was made in its place


def test_a_missing_database_is_one_line_that_says_how_to_create_it(pg_settings: ArenaSettings) -> None:
    missing = pg_settings.database_url.rsplit("/", 1)[0] + f"/arena_missing_{uuid.uuid4().hex[:8]}"

    for command in (("db", "upgrade"), ("projections", "checksum", "room")):
        done = arena_cli(*command, ARENA_DATABASE_URL=missing)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "does not exist" in lines[0] and "createdb" in lines[0], done.stderr
