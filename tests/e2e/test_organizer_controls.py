"""Organizer controls over HTTP (issue 13, item 3): extending a running battle, a problem's
points overridden in one battle, and GET /me."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from helpers import (
    assert_problem_details,
    make_draft_battle,
    make_lobby_battle,
    make_running_battle,
    unique,
    upload_problem,
)


def test_an_admin_extends_a_running_battle_and_its_end_moves_by_that_much(api) -> None:
    battle = make_running_battle(api, duration_s=600)
    before = datetime.fromisoformat(api.get(battle.path, user=battle.admin, role="admin").json()["ends_at"])

    response = api.post(f"{battle.path}/extend", user=battle.admin, role="admin", json={"seconds": 90})

    assert response.status_code == 200, response.text
    body = response.json()
    assert datetime.fromisoformat(body["ends_at"]) == before + timedelta(seconds=90)
    assert (body["extended_s"], body["status"]) == (90, "running")
    shown = api.get(battle.path, user=battle.players[0]).json()
    assert datetime.fromisoformat(shown["ends_at"]) == before + timedelta(seconds=90)


@pytest.mark.parametrize("make", [make_draft_battle, make_lobby_battle])
def test_a_battle_that_is_not_running_cannot_be_extended(api, make) -> None:
    battle = make(api)

    body = assert_problem_details(api.post(f"{battle.path}/extend", user=battle.admin, role="admin",
                                           json={"seconds": 60}), 409)

    assert "running" not in body["detail"] or "cannot extend" in body["detail"]


@pytest.mark.parametrize("body", [{"seconds": 0}, {"seconds": 86401}, {"seconds": "soon"}, {}, {"seconds": 5, "x": 1}])
def test_an_extension_out_of_bounds_is_a_422(api, body) -> None:
    battle = make_running_battle(api)

    assert_problem_details(api.post(f"{battle.path}/extend", user=battle.admin, role="admin", json=body), 422)


def test_another_admin_may_not_extend_a_battle_they_do_not_run(api) -> None:
    battle = make_running_battle(api)

    body = assert_problem_details(api.post(f"{battle.path}/extend", user=unique("admin"), role="admin",
                                           json={"seconds": 60}), 403)

    assert "owner" in body["detail"]


def test_a_problem_attached_with_its_own_points_scores_them_in_that_battle_only(api) -> None:
    admin, ada = unique("admin"), unique("ada")
    slug = upload_problem(api, admin, points=100)
    created = api.post("/battles", user=admin, role="admin", json={"title": unique("t"), "languages": ["python"]})
    path = f"/battles/{created.json()['id']}"

    attached = api.post(f"{path}/problems", user=admin, role="admin", json={"slug": slug, "points": 250})

    assert attached.status_code == 200, attached.text
    assert attached.json()["problems"] == [{"slug": slug, "sha256": attached.json()["problems"][0]["sha256"],
                                            "title": "Sum", "points": 250}]
    assert api.post(f"{path}/lobby", user=admin, role="admin").status_code == 200
    assert api.post(f"{path}/join", user=ada).status_code == 200
    assert api.post(f"{path}/start", user=admin, role="admin").status_code == 200
    response = api.post(f"{path}/submissions", user=ada, json={
        "problem": slug, "language": "python", "source": "print(sum(map(int, input().split())))"})
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 60
    while (row := api.get(f"/submissions/{response.json()['id']}", user=ada).json())["status"] != "judged":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert (row["verdict"], row["points"]) == ("AC", 250)
    # the scoreboard's projection may apply the verdict just after the submissions' one
    while (line := api.get(f"{path}/scoreboard", user=ada).json()["rows"][0])["solved"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert line["points"] == 250
    assert api.get(f"/problems/{slug}", user=admin, role="admin").json()["points"] == 100  # its own, unchanged


@pytest.mark.parametrize("points", [-1, 100_001, "many"])
def test_points_out_of_bounds_are_a_422(api, points) -> None:
    battle = make_draft_battle(api, problems=0)

    assert_problem_details(api.post(f"{battle.path}/problems", user=battle.admin, role="admin",
                                    json={"slug": upload_problem(api), "points": points}), 422)


def test_me_names_the_tokens_user_its_roles_and_the_battles_joined_newest_first(api) -> None:
    ada = unique("ada")
    first = make_running_battle(api, players=(ada,))
    second = make_lobby_battle(api, players=(ada,))
    make_running_battle(api)  # not joined

    response = api.get("/me", user=ada)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["user_id"], body["role"], body["roles"]) == (ada, "player", ["player"])
    assert [(b["battle_id"], b["status"], b["state"], b["score"]) for b in body["battles"]] == [
        (second.id, "lobby", "PRESENT", 0), (first.id, "running", "PRESENT", 0)]
    assert api.get("/me?limit=1", user=ada).json()["battles"][0]["battle_id"] == second.id


@pytest.mark.parametrize("role, roles", [("admin", ["admin", "player"]), ("auditor", ["auditor"]),
                                         ("superadmin", ["superadmin", "admin", "player"])])
def test_me_says_what_each_role_includes(api, role: str, roles: list[str]) -> None:
    body = api.get("/me", user=unique(role), role=role).json()

    assert (body["role"], body["roles"], body["battles"]) == (role, roles, [])
