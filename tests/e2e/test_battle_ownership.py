"""Finding 9 (issue 10): a battle is run by its owner (the admin who created it), its co-admins
and superadmins; other admins get 403 "not the owner". Players see no drafts, and no statement
before a battle that uses it has started (unless the problem is public)."""

from __future__ import annotations

import time

import pytest

from helpers import (
    MARKDOWN,
    assert_problem_details,
    make_draft_battle,
    make_lobby_battle,
    make_running_battle,
    problem_document,
    unique,
)


def test_finding_9_an_admin_cannot_end_another_admins_battle(api) -> None:
    battle = make_running_battle(api)
    intruder = unique("admin")

    body = assert_problem_details(
        api.post(f"{battle.path}/end", user=intruder, role="admin", json={"reason": "mine now"}), 403)

    assert "not the owner of this battle" in body["detail"]
    assert api.get(battle.path, user=battle.admin, role="admin").json()["status"] == "running"


@pytest.mark.parametrize("verb", ["configure", "attach", "lobby", "co-admins", "cancel"])
def test_finding_9_an_admin_cannot_run_any_verb_on_another_admins_draft(api, verb: str) -> None:
    battle = make_draft_battle(api)
    requests = {"configure": ("PATCH", battle.path, {"title": "taken"}),
                "attach": ("POST", f"{battle.path}/problems", {"slug": battle.problems[0]}),
                "lobby": ("POST", f"{battle.path}/lobby", None),
                "co-admins": ("POST", f"{battle.path}/co-admins", {"user_id": unique("friend")}),
                "cancel": ("POST", f"{battle.path}/cancel", {"reason": "mine now"})}
    method, path, body = requests[verb]
    before = api.get(battle.path, user=battle.admin, role="admin").json()

    response = api.request(method, path, user=unique("admin"), role="admin", json=body)

    assert "not the owner of this battle" in assert_problem_details(response, 403)["detail"]
    assert api.get(battle.path, user=battle.admin, role="admin").json() == before


def test_finding_9_a_co_admin_and_a_superadmin_may(api) -> None:
    battle = make_lobby_battle(api)
    co_admin, stranger = unique("co"), unique("admin")
    added = api.post(f"{battle.path}/co-admins", user=battle.admin, role="admin", json={"user_id": co_admin})
    assert added.status_code == 200, added.text
    # a co-admin runs the battle but does not hand it on
    assert_problem_details(api.post(f"{battle.path}/co-admins", user=co_admin, role="admin",
                                    json={"user_id": stranger}), 403)

    started = api.post(f"{battle.path}/start", user=co_admin, role="admin")
    ended = api.post(f"{battle.path}/end", user=unique("root"), role="superadmin")

    assert started.status_code == 200, started.text
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended"


def test_finding_9_players_see_no_draft_battles_and_no_statements_before_the_start(api) -> None:
    player = unique("ada")
    draft = make_draft_battle(api)
    slug = draft.problems[0]

    assert_problem_details(api.get(draft.path, user=player), 404)
    assert draft.id not in {row["id"] for row in api.get("/battles?limit=500", user=player).json()}
    assert draft.id in {row["id"] for row in api.get("/battles?limit=500", user=draft.admin, role="admin").json()}
    assert api.get(f"/problems/{slug}", user=draft.admin, role="admin").status_code == 200
    assert_problem_details(api.get(f"/problems/{slug}", user=player), 403)

    assert api.post(f"{draft.path}/lobby", user=draft.admin, role="admin").status_code == 200
    assert api.get(draft.path, user=player).status_code == 200  # the lobby is open to players
    assert_problem_details(api.get(f"/problems/{slug}", user=player), 403)  # the statement is not
    assert api.post(f"{draft.path}/start", user=draft.admin, role="admin").status_code == 200

    deadline = time.monotonic() + 10  # the catalog (a read model) learns of the start a moment later
    while (response := api.get(f"/problems/{slug}", user=player)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert response.status_code == 200, response.text
    assert "Read two integers" in response.json()["statement"]
    assert "tests" not in response.json()  # hidden tests stay hidden


def test_finding_9_a_public_problem_is_readable_by_players_at_once(api) -> None:
    slug = unique("practice")
    uploaded = api.post("/problems", user=unique("admin"), role="admin", headers=MARKDOWN,
                        content=problem_document(slug, public=True))
    assert uploaded.status_code == 201, uploaded.text

    assert api.get(f"/problems/{slug}", user=unique("ada")).status_code == 200
