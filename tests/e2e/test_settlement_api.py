"""The auditors' view over HTTP: a battle played and ended through the API (the embedded bus of
the e2e server settles it in process), then its settlement, the ledger, the season leaderboard
and ratings — their bodies, who may read what, and the ledger's paging."""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

import pytest

from arena.domain.settlement import settlement_id
from arena.domain.standings import Standings
from helpers import (
    BattleRef,
    assert_problem_details,
    make_lobby_battle,
    make_running_battle,
    submit,
    unique,
)

AUDITORS = [("auditor", "auditor"), ("admin", "admin"), ("superadmin", "superadmin")]
RIGHT = "print(sum(map(int, input().split())))"


@dataclass
class Played:
    battle: BattleRef
    season: str
    ada: str  # solved the problem: rank 1, 100 points
    others: list[str]  # solved nothing: share rank 2


def wait_judged(api, player: str, submission_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while api.get(f"/submissions/{submission_id}", user=player).json()["status"] != "judged":
        assert time.monotonic() < deadline, "the embedded judge gave no verdict"
        time.sleep(0.1)


def wait_settled(api, battle: BattleRef, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while (response := api.get(f"{battle.path}/settlement", user="auditor", role="auditor")).status_code != 200 \
            or response.json()["status"] != "applied":
        assert time.monotonic() < deadline, response.text
        time.sleep(0.1)
    return response.json()


@pytest.fixture(scope="module")
def played(api) -> Played:
    season = unique("season")
    ada, grace, cy = unique("ada"), unique("grace"), unique("cy")
    battle = make_running_battle(api, players=(ada, grace, cy), scoring="points", season=season)
    for player, source in ((ada, RIGHT), (grace, "print(0)")):
        response = submit(api, battle, player=player, source=source)
        assert response.status_code == 202, response.text
        wait_judged(api, player, response.json()["id"])
    ended = api.post(f"{battle.path}/end", user=battle.admin, role="admin")
    assert ended.status_code == 200, ended.text
    wait_settled(api, battle)
    return Played(battle, season, ada, sorted([grace, cy]))


@pytest.mark.parametrize("role", [role for _, role in AUDITORS])
def test_auditors_and_admins_read_the_whole_settlement(api, played: Played, role: str) -> None:
    response = api.get(f"{played.battle.path}/settlement", user=unique(role), role=role)

    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("battle_id", "settlement_id", "status", "revision", "season", "scoring",
                                 "missing", "failure", "shown")} == {
        "battle_id": played.battle.id, "settlement_id": str(settlement_id(UUID(played.battle.id))),
        "status": "applied", "revision": 1, "season": played.season, "scoring": "points", "missing": [],
        "failure": None, "shown": "all"}
    rows = [(r["user_id"], r["rank"], r["solved"], r["points"]) for r in body["standings"]]
    assert rows == [(played.ada, 1, 1, 100)] + [(other, 2, 0, 0) for other in played.others]
    # The hash covers exactly the rows shown, in the canonical form anyone can recompute.
    columns = [tuple(r[k] for r in body["standings"]) for k in ("user_id", "rank", "solved", "penalty", "points")]
    assert Standings(UUID(played.battle.id), "points", *columns).result_hash == body["result_hash"]


def test_a_player_of_the_battle_sees_the_header_and_only_their_own_row(api, played: Played) -> None:
    full = api.get(f"{played.battle.path}/settlement", user="auditor", role="auditor").json()
    player = played.others[0]

    body = api.get(f"{played.battle.path}/settlement", user=player).json()

    assert body["shown"] == "own"
    assert [row["user_id"] for row in body["standings"]] == [player]
    assert {k: v for k, v in body.items() if k not in ("standings", "shown")} == {
        k: v for k, v in full.items() if k not in ("standings", "shown")}


def test_a_player_who_did_not_play_is_forbidden_and_anonymous_is_unauthorized(api, played: Played) -> None:
    path = f"{played.battle.path}/settlement"

    body = assert_problem_details(api.get(path, user=unique("stranger")), 403)

    assert "players" in body["detail"]
    assert_problem_details(api.get(path), 401)


@pytest.mark.parametrize("state", ["running", "cancelled", "unknown"])
def test_a_battle_without_a_settlement_is_a_404(api, state: str) -> None:
    if state == "running":
        path = make_running_battle(api).path
    elif state == "cancelled":
        battle = make_lobby_battle(api)
        assert api.post(f"{battle.path}/cancel", user=battle.admin, role="admin").status_code == 200
        path = battle.path
    else:
        path = f"/battles/{UUID(int=7)}"

    body = assert_problem_details(api.get(f"{path}/settlement", user="auditor", role="auditor"), 404)

    assert "no settlement" in body["detail"]


def test_the_ledger_pages_in_a_stable_order_without_overlap(api, played: Played) -> None:
    query = {"battle": played.battle.id}
    everything = api.get("/ledger", user="auditor", role="auditor", params=query).json()
    assert everything["next_cursor"] is None
    assert [(r["user_id"], r["rank"], r["points"], r["revision"]) for r in everything["rows"]] == sorted(
        [(played.ada, 1, 100, 1)] + [(other, 2, 0, 1) for other in played.others])

    first = api.get("/ledger", user="auditor", role="auditor", params={**query, "limit": 2}).json()
    again = api.get("/ledger", user="auditor", role="auditor", params={**query, "limit": 2}).json()
    second = api.get("/ledger", user="auditor", role="auditor",
                     params={**query, "limit": 2, "cursor": first["next_cursor"]}).json()

    assert first == again
    assert len(first["rows"]) == 2 and first["next_cursor"]
    assert len(second["rows"]) == 1 and second["next_cursor"] is None
    assert first["rows"] + second["rows"] == everything["rows"]


def test_the_whole_ledger_pages_to_its_end(api, played: Played) -> None:
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/ledger", user="admin", role="admin", params=params).json()
        seen += [(r["battle_id"], r["revision"], r["user_id"]) for r in page["rows"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == sorted(set(seen))  # stable order, no row twice
    assert {(played.battle.id, 1, played.ada)} <= set(seen)


def test_a_player_reads_only_their_own_ledger_rows(api, played: Played) -> None:
    own = api.get("/ledger", user=played.ada).json()

    assert [(r["battle_id"], r["user_id"], r["points"]) for r in own["rows"]] == [(played.battle.id, played.ada, 100)]
    assert api.get("/ledger", user=played.ada, params={"user": played.ada}).json() == own
    body = assert_problem_details(api.get("/ledger", user=played.ada, params={"user": played.others[0]}), 403)
    assert "own" in body["detail"]
    assert_problem_details(api.get("/ledger"), 401)


@pytest.mark.parametrize("params, status", [
    ({"cursor": "not-a-cursor"}, 400), ({"cursor": "WzEsMl0"}, 400), ({"limit": 0}, 422), ({"limit": 1001}, 422),
    ({"season": "no spaces"}, 422), ({"battle": "nope"}, 422), ({"user": "x" * 201}, 422)])
def test_bad_ledger_queries_are_refused_with_problem_details(api, params: dict, status: int) -> None:
    response = api.get("/ledger", user="auditor", role="auditor", params=params)

    assert_problem_details(response, status)


def test_the_leaderboard_ranks_the_season_and_pages(api, played: Played) -> None:
    board = api.get("/leaderboard", user=unique("anyone"), params={"season": played.season}).json()

    assert board["season"] == played.season
    assert [(r["rank"], r["user_id"], r["points"], r["battles"]) for r in board["rows"]] == [
        (1, played.ada, 100, 1)] + [(2, other, 0, 1) for other in played.others]
    page = api.get("/leaderboard", user=unique("anyone"), params={"season": played.season, "offset": 1, "limit": 1})
    assert [r["user_id"] for r in page.json()["rows"]] == [played.others[0]]
    assert_problem_details(api.get("/leaderboard", user=unique("anyone"), params={"offset": -1}), 422)
    assert_problem_details(api.get("/leaderboard"), 401)


def test_a_rating_and_its_history_are_read_by_anyone_signed_in(api, played: Played) -> None:
    response = api.get(f"/users/{played.ada}/rating", user=unique("anyone"))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user_id"] == played.ada and body["contests"] == 1
    assert isinstance(body["rating"], int) and body["sigma"] > 0
    assert [(h["battle_id"], h["after"]) for h in body["history"]] == [(played.battle.id, body["rating"])]
    loser = api.get(f"/users/{played.others[0]}/rating", user=unique("anyone")).json()
    assert body["rating"] > loser["rating"]
    assert_problem_details(api.get(f"/users/{unique('never')}/rating", user=unique("anyone")), 404)
    assert_problem_details(api.get(f"/users/{played.ada}/rating"), 401)
