"""The scoreboard at a past position on the embedded default (SQLite: the log is read through
eventsourcing's reader, not PostgreSQL's statement): at every step of a battle, the board
recomputed from the events up to the log's position equals the live scoreboard of that step."""

from __future__ import annotations

from pathlib import Path

from arena.bootstrap import bootstrap
from arena.domain.acting import Admin
from arena.domain.room_player import room_player_id
from arena.domain.settings import BattleSettings
from arena.projections.battle_log import battle_log
from arena.projections.scoreboard import read_scoreboard
from arena.projections.scoreboard_history import TOPICS, board, facts_until
from arena.settings import ArenaSettings

SAMPLE = b"samples:\n  - {input: \"1\", output: \"1\"}\n"
PROBLEMS = (b"---\ntitle: Echo\nslug: echo\npoints: 100\n" + SAMPLE + b"---\nEcho.\n",
            b"---\ntitle: Sum\nslug: sum\npoints: 300\n" + SAMPLE + b"---\nSum.\n")


def test_the_board_at_each_position_is_the_live_board_of_that_moment(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False, timers=False)
    try:
        for document in PROBLEMS:
            arena.problems.upload(document)
        app, admin = arena.app, Admin("admin")
        battle_id = app.create_battle("admin", BattleSettings(title="t", scoring="points"))
        other = app.create_battle("admin", BattleSettings(title="another"))  # its events are not counted
        for slug in ("echo", "sum"):
            app.attach_problem(battle_id, slug, by=admin, points=150 if slug == "echo" else None)
        app.attach_problem(other, "echo", by=admin)
        app.open_lobby(battle_id, by=admin)
        app.open_lobby(other, by=admin)
        for user in ("ada", "bob"):
            app.join(battle_id, user)
        app.join(other, "cy")
        app.start_battle(battle_id, by=admin)
        snapshots = [(app.recorder.max_notification_id(), read_scoreboard(arena.engine, str(battle_id)))]
        for user, problem, verdict in (("ada", "echo", "WA"), ("bob", "sum", "AC"), ("ada", "echo", "AC"),
                                       ("ada", "sum", "AC")):
            submission = app.submit(battle_id, user, problem, "python", "print(1)")
            app.record_verdict(room_player_id(battle_id, user), submission, verdict, {})
            snapshots.append((app.recorder.max_notification_id(), read_scoreboard(arena.engine, str(battle_id))))

        rows = battle_log(app.get_battle(battle_id), arena.engine, app.recorder, tuple(TOPICS))
        boards = [board(str(battle_id), facts_until(rows, position)) for position, _ in snapshots]

        assert boards == [live for _, live in snapshots]
        assert len({str(b["rows"]) for b in boards}) == len(boards)  # every step changed the board
        assert [r["points"] for r in boards[-1]["rows"]] == [450, 300]
    finally:
        arena.close()
