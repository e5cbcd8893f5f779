"""The scoreboard as it stood at a past instant or log position (issue 13, item 2), checked
against snapshots of the live scoreboard taken while a battle runs; and the export of a
battle's final results (GET /battles/{id}/results.csv, `arena battles export`)."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import psycopg
import pytest

from arena.cli import main
from helpers import BattleRef, assert_problem_details, make_running_battle, submit, unique

RIGHT = "print(sum(map(int, input().split())))"
WRONG = "print(3)"


@dataclass
class Snapshot:
    position: int  # the log position every projection had applied when the board was read
    at: datetime  # an instant after the board was read, before anything else happened
    board: dict[str, Any]


def quiet_position(url: str, timeout: float = 30) -> int:
    """Waits until the embedded bus has delivered the whole log, and returns its position."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            newest = conn.execute("SELECT coalesce(max(notification_id), 0) FROM arena_events").fetchone()[0]
            delivered = conn.execute("SELECT position FROM bus_positions WHERE name = 'local'").fetchone()[0]
            if delivered == newest:
                return newest
            assert time.monotonic() < deadline, "the embedded bus did not catch up"
            time.sleep(0.05)


def snapshot(api, url: str, battle: BattleRef) -> Snapshot:
    position = quiet_position(url)
    board = api.get(f"{battle.path}/scoreboard", user=battle.players[0]).json()
    at = datetime.now(timezone.utc)
    assert quiet_position(url) == position, "something happened while the board was read: take it again"
    time.sleep(0.01)  # the next event is stamped strictly after `at`
    return Snapshot(position, at, board)


@pytest.fixture(scope="module")
def played(api, e2e_postgres_url: str):
    ada, grace, cy = unique("ada"), unique("grace"), unique("cy")
    battle = make_running_battle(api, players=(ada, grace, cy), problems=2)
    snapshots = [snapshot(api, e2e_postgres_url, battle)]
    for player, source, problem in ((ada, WRONG, 0), (grace, RIGHT, 0), (ada, RIGHT, 0), (ada, RIGHT, 1),
                                    (cy, WRONG, 1)):
        response = submit(api, battle, player=player, source=source, problem=battle.problems[problem])
        assert response.status_code == 202, response.text
        deadline = time.monotonic() + 60
        while api.get(f"/submissions/{response.json()['id']}", user=player).json()["status"] != "judged":
            assert time.monotonic() < deadline, "the embedded judge gave no verdict"
            time.sleep(0.1)
        snapshots.append(snapshot(api, e2e_postgres_url, battle))
    assert api.post(f"{battle.path}/extend", user=battle.admin, role="admin", json={"seconds": 60}).status_code == 200
    assert api.post(f"{battle.path}/end", user=battle.admin, role="admin").status_code == 200
    snapshots.append(snapshot(api, e2e_postgres_url, battle))
    return battle, snapshots


def test_the_snapshots_saw_the_board_change(played) -> None:
    _, snapshots = played
    boards = [[(r["user_id"], r["rank"], r["solved"], r["penalty"]) for r in s.board["rows"]] for s in snapshots]

    assert len({json.dumps(board) for board in boards}) >= 4  # the comparisons below compare something


def test_the_board_at_each_snapshots_position_is_the_board_it_saw(api, played) -> None:
    battle, snapshots = played
    for taken in snapshots:
        response = api.get(f"{battle.path}/scoreboard?at={taken.position}", user=battle.players[1])

        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["scoring"], body["rows"]) == (taken.board["scoring"], taken.board["rows"]), taken.position
        assert body["position"] <= taken.position


def test_the_board_at_each_snapshots_instant_is_the_board_it_saw(api, played) -> None:
    battle, snapshots = played
    for taken in snapshots:
        response = api.get(f"{battle.path}/scoreboard", params={"at": taken.at.isoformat()}, user=battle.players[1])

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["rows"] == taken.board["rows"], taken.at
        assert datetime.fromisoformat(body["at"]) == taken.at


def test_an_instant_without_a_zone_is_utc(api, played) -> None:
    battle, snapshots = played
    taken = snapshots[2]
    naive = taken.at.replace(tzinfo=None).isoformat()

    body = api.get(f"{battle.path}/scoreboard", params={"at": naive}, user=battle.players[0]).json()

    assert body["rows"] == taken.board["rows"]


def test_before_the_battle_existed_there_was_no_board(api, played) -> None:
    battle, _ = played

    assert_problem_details(api.get(f"{battle.path}/scoreboard?at=2000-01-01T00:00:00Z", user="x"), 404)
    assert_problem_details(api.get(f"{battle.path}/scoreboard?at=0", user="x"), 404)


@pytest.mark.parametrize("at", ["yesterday", "-1", "1.5", "99999999999999999999", "2026-13-01"])
def test_an_at_that_is_neither_an_instant_nor_a_position_is_a_400(api, played, at: str) -> None:
    battle, _ = played

    body = assert_problem_details(api.get(f"{battle.path}/scoreboard", params={"at": at}, user="x"), 400)

    assert body["detail"].startswith("at:")


def test_the_results_csv_is_the_final_board_for_admins_and_auditors(api, played) -> None:
    battle, snapshots = played
    final = snapshots[-1].board["rows"]

    for role in ("admin", "auditor"):
        response = api.get(f"{battle.path}/results.csv", user=unique(role), role=role)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [(r["rank"], r["user_id"], r["solved"], r["penalty"], r["points"]) for r in rows] == [
            (str(r["rank"]), r["user_id"], str(r["solved"]), str(r["penalty"]), str(r["points"])) for r in final]
    assert_problem_details(api.get(f"{battle.path}/results.csv", user=battle.players[0]), 403)
    assert_problem_details(api.get("/battles/00000000-0000-4000-8000-000000000000/results.csv",
                                   user="root", role="admin"), 404)


def test_the_export_command_writes_the_results_and_every_event(api, played, e2e_arena, capsys,
                                                                monkeypatch) -> None:
    battle, snapshots = played
    monkeypatch.setenv("ARENA_DATABASE_URL", e2e_arena.settings.database_url)
    monkeypatch.setenv("ARENA_DATA_DIR", str(e2e_arena.settings.data_dir))
    monkeypatch.setenv("ARENA_JWT_SECRET", e2e_arena.settings.jwt_secret)

    assert main(["battles", "export", battle.id, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert main(["battles", "export", battle.id, "--format", "csv"]) == 0
    results = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert main(["battles", "export", battle.id, "--format", "csv", "--events"]) == 0
    events = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))

    final = snapshots[-1].board["rows"]
    assert [(r["user_id"], r["rank"], r["points"]) for r in document["results"]] == [
        (r["user_id"], r["rank"], r["points"]) for r in final]
    assert [r["user_id"] for r in results] == [r["user_id"] for r in final]
    kinds = [event["event"] for event in document["events"]]
    assert kinds[:2] == ["Battle.Created", "Battle.ProblemAttached"]
    assert kinds.index("Battle.Ended") > kinds.index("Battle.Extended") > kinds.index("Battle.Started")
    assert kinds.count("RoomPlayer.Completed") == 3  # the end completes every player still present
    assert kinds.count("RoomPlayer.SubmissionReceived") == 5 and kinds.count("RoomPlayer.VerdictRecorded") == 5
    positions = [event["position"] for event in document["events"]]
    assert positions == sorted(positions) and positions[-1] <= snapshots[-1].position
    assert [int(e["position"]) for e in events] == positions
    assert json.loads(events[0]["data"])["admin_id"] == battle.admin


def test_exporting_an_unknown_battle_is_one_clear_line_and_exit_1(e2e_arena, capsys, monkeypatch) -> None:
    monkeypatch.setenv("ARENA_DATABASE_URL", e2e_arena.settings.database_url)
    monkeypatch.setenv("ARENA_DATA_DIR", str(e2e_arena.settings.data_dir))

    assert main(["battles", "export", "00000000-0000-4000-8000-000000000000"]) == 1
    assert "no battle" in capsys.readouterr().err


def test_the_boards_live_and_past_have_the_shape_the_openapi_document_declares(api, played) -> None:
    from arena.api.scoreboard_views import ScoreboardView

    battle, snapshots = played
    for query in ("", f"?at={snapshots[3].position}", f"?at={snapshots[3].at.isoformat().replace('+00:00', 'Z')}"):
        body = api.get(f"{battle.path}/scoreboard{query}", user=battle.players[0]).json()

        assert ScoreboardView.model_validate(body).model_dump(mode="json") == body
