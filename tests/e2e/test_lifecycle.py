"""A whole battle over HTTP, and what the lobby freezes, and what players may see."""

from __future__ import annotations

from helpers import (
    MARKDOWN,
    assert_problem_details,
    make_draft_battle,
    make_ended_battle,
    make_lobby_battle,
    make_running_battle,
    problem_document,
    submit,
    unique,
    upload_problem,
)


def test_a_battle_goes_from_upload_to_end_over_http(api) -> None:
    admin, ada, grace = unique("admin"), unique("ada"), unique("grace")
    as_admin = {"user": admin, "role": "admin"}
    sum_slug = upload_problem(api, admin, title="Sum", points=100)
    max_slug = upload_problem(api, admin, title="Max", points=300)

    created = api.post("/battles", **as_admin, json={"title": unique("friday"), "languages": ["python"]})
    assert created.status_code == 201, created.text
    battle = created.json()
    path = f"/battles/{battle['id']}"
    assert (battle["status"], battle["admin_id"], battle["problems"], battle["players"]) == (
        "draft", admin, [], 0)

    configured = api.patch(path, **as_admin, json={"languages": ["python", "c"], "max_players": 3,
                                                    "scoring": "points", "duration_s": 900})
    assert configured.status_code == 200, configured.text
    assert configured.json()["languages"] == ["python", "c"]
    assert (configured.json()["max_players"], configured.json()["scoring"]) == (3, "points")

    for slug in (sum_slug, max_slug):
        assert api.post(f"{path}/problems", **as_admin, json={"slug": slug}).status_code == 200
    detached = api.delete(f"{path}/problems/{max_slug}", **as_admin)
    assert detached.status_code == 200, detached.text
    assert [p["slug"] for p in detached.json()["problems"]] == [sum_slug]
    assert detached.json()["problems"][0]["points"] == 100
    assert detached.json()["config_hash"] is None

    lobby = api.post(f"{path}/lobby", **as_admin)
    assert lobby.status_code == 200, lobby.text
    assert lobby.json()["status"] == "lobby"
    assert len(lobby.json()["config_hash"]) == 64

    joined = {}
    for user, role in ((ada, "player"), (grace, "player"), (admin, "admin")):
        response = api.post(f"{path}/join", user=user, role=role)
        assert response.status_code == 200, response.text
        joined[user] = response.json()
    assert joined[ada]["state"] == "PRESENT"
    assert joined[ada]["user_id"] == ada
    assert len({player["room_player_id"] for player in joined.values()}) == 3

    started = api.post(f"{path}/start", **as_admin)
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "running"
    assert started.json()["started_at"] is not None
    assert started.json()["players"] == 3
    assert started.json()["config_hash"] == lobby.json()["config_hash"]

    submitted = api.post(f"{path}/submissions", user=ada,
                         json={"problem": sum_slug, "language": "c", "source": "int main(){return 0;}"})
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["status"] == "queued"
    submission_id = submitted.json()["id"]

    submission = api.get(f"/submissions/{submission_id}", user=ada)
    assert submission.status_code == 200, submission.text
    assert {k: submission.json()[k] for k in ("id", "battle_id", "user_id", "problem", "language")} == {
        "id": submission_id, "battle_id": battle["id"], "user_id": ada, "problem": sum_slug, "language": "c"}
    assert submission.json()["status"] in ("queued", "judged")  # the embedded judge may be quick
    assert api.get(f"/submissions/{submission_id}", **as_admin).status_code == 200

    room = api.get(f"{path}/room", user=grace)
    assert room.status_code == 200, room.text
    assert room.json()["status"] == "running"
    assert [(p["user_id"], p["state"], p["submissions"]) for p in room.json()["players"]] == [
        (ada, "PRESENT", 1), (grace, "PRESENT", 0), (admin, "PRESENT", 0)]

    ended = api.post(f"{path}/end", **as_admin, json={"reason": "done early"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended"
    assert ended.json()["ended_at"] is not None
    assert api.get(path, user=ada).json()["status"] == "ended"
    listed = api.get("/battles", user=ada, params={"status": "ended", "limit": 500})
    assert battle["id"] in [row["id"] for row in listed.json()]


def test_the_lobby_freezes_settings_and_problems(api) -> None:
    battle = make_lobby_battle(api, players=())
    other = upload_problem(api, battle.admin)
    as_admin = {"user": battle.admin, "role": "admin"}
    before = api.get(battle.path, **as_admin).json()

    patched = api.patch(battle.path, **as_admin, json={"title": "changed"})
    attached = api.post(f"{battle.path}/problems", **as_admin, json={"slug": other})
    detached = api.delete(f"{battle.path}/problems/{battle.problems[0]}", **as_admin)
    reopened = api.post(f"{battle.path}/lobby", **as_admin)

    for response in (patched, attached, detached, reopened):
        body = assert_problem_details(response, 409)
        assert "lobby" in body["detail"]
        assert body["error"] == "WrongBattleState"
    after = api.get(battle.path, **as_admin).json()
    assert (after["title"], after["problems"], after["config_hash"], after["version"]) == (
        before["title"], before["problems"], before["config_hash"], before["version"])


def test_a_running_battle_refuses_changes_with_a_detail_naming_its_state(api) -> None:
    battle = make_running_battle(api)

    body = assert_problem_details(api.patch(battle.path, user=battle.admin, role="admin",
                                            json={"max_players": 2}), 409)

    assert body["detail"] == "cannot configure a battle that is running"


def test_a_problem_cannot_be_deleted_while_a_battle_that_has_not_ended_uses_it(api) -> None:
    battle = make_running_battle(api)
    slug = battle.problems[0]
    as_admin = {"user": battle.admin, "role": "admin"}

    body = assert_problem_details(api.delete(f"/problems/{slug}", **as_admin), 409)
    assert battle.id in body["detail"]
    assert api.get(f"/problems/{slug}", **as_admin).status_code == 200

    assert api.post(f"{battle.path}/end", **as_admin).status_code == 200
    assert api.delete(f"/problems/{slug}", **as_admin).status_code == 204
    assert_problem_details(api.get(f"/problems/{slug}", **as_admin), 404)
    # The battle keeps what it locked.
    assert [p["slug"] for p in api.get(battle.path, **as_admin).json()["problems"]] == [slug]


def test_a_draft_battle_also_holds_on_to_its_problems_until_it_is_cancelled(api) -> None:
    battle = make_draft_battle(api)
    slug = battle.problems[0]
    as_admin = {"user": battle.admin, "role": "admin"}

    assert_problem_details(api.delete(f"/problems/{slug}", **as_admin), 409)
    assert api.post(f"{battle.path}/cancel", **as_admin, json={"reason": "no"}).json()["status"] == "cancelled"

    assert api.delete(f"/problems/{slug}", **as_admin).status_code == 204


def test_a_detached_problem_is_free_to_delete(api) -> None:
    battle = make_draft_battle(api, problems=2)
    as_admin = {"user": battle.admin, "role": "admin"}
    assert api.delete(f"{battle.path}/problems/{battle.problems[1]}", **as_admin).status_code == 200

    assert api.delete(f"/problems/{battle.problems[1]}", **as_admin).status_code == 204
    assert_problem_details(api.delete(f"/problems/{battle.problems[0]}", **as_admin), 409)


def test_players_never_see_hidden_tests_and_admins_do(api) -> None:
    secret = f"9{unique('x')[2:].replace('-', '')}"  # unique expected output of the hidden test
    admin, player = unique("admin"), unique("ada")
    slug = unique("sum")
    response = api.post("/problems", user=admin, role="admin", headers=MARKDOWN,
                        content=problem_document(slug, hidden_output=secret, public=True))  # readable now
    assert response.status_code == 201, response.text
    battle = make_draft_battle(api, admin=admin, problems=0)
    api.post(f"{battle.path}/problems", user=admin, role="admin", json={"slug": slug})

    seen_by_player = api.get(f"/problems/{slug}", user=player)
    assert seen_by_player.status_code == 200
    assert "tests" not in seen_by_player.json()
    assert seen_by_player.json()["hidden_tests"] == 1
    assert seen_by_player.json()["samples"] == [{"input": "1 2", "output": "3", "name": ""}]
    for path in (f"/problems/{slug}", "/problems", battle.path):
        assert secret not in api.get(path, user=player).text

    seen_by_admin = api.get(f"/problems/{slug}", user=admin, role="admin")
    assert seen_by_admin.json()["tests"] == [{"input": "1000000 1000000", "output": secret, "name": "big"}]


def test_joining_twice_returns_the_same_room_player_and_admits_once(api) -> None:
    battle = make_lobby_battle(api, players=())
    ada = unique("ada")

    first = api.post(f"{battle.path}/join", user=ada)
    version = api.get(battle.path, user=ada).json()["version"]
    second = api.post(f"{battle.path}/join", user=ada)

    assert second.status_code == 200
    assert second.json()["room_player_id"] == first.json()["room_player_id"]
    after = api.get(battle.path, user=ada).json()
    assert (after["players"], after["version"]) == (1, version)


def test_a_full_battle_refuses_the_next_player(api) -> None:
    battle = make_lobby_battle(api, players=(unique("ada"), unique("grace")), max_players=2)

    body = assert_problem_details(api.post(f"{battle.path}/join", user=unique("linus")), 409)

    assert body["error"] == "BattleFull"
    assert "full" in body["detail"]
    assert len(api.get(f"{battle.path}/room", user=battle.players[0]).json()["players"]) == 2


def test_a_player_may_join_a_running_battle(api) -> None:
    battle = make_running_battle(api)
    late = unique("late")

    assert api.post(f"{battle.path}/join", user=late).status_code == 200
    assert submit(api, battle, player=late).status_code == 202


def test_submissions_are_refused_before_the_start_and_after_the_end(api) -> None:
    lobby = make_lobby_battle(api)
    ended = make_ended_battle(api)

    assert "lobby" in assert_problem_details(submit(api, lobby), 409)["detail"]
    assert "ended" in assert_problem_details(submit(api, ended), 409)["detail"]


def test_a_submission_is_refused_for_a_user_who_did_not_join(api) -> None:
    battle = make_running_battle(api)

    body = assert_problem_details(submit(api, battle, player=unique("stranger")), 409)

    assert body["error"] == "NotJoined"


def test_a_submission_in_a_language_the_battle_does_not_allow_is_refused(api) -> None:
    battle = make_running_battle(api)

    body = assert_problem_details(submit(api, battle, language="rust"), 409)

    assert body["error"] == "LanguageNotAllowed"
    assert "python, c" in body["detail"]


def test_a_submission_for_a_problem_outside_the_battle_is_refused(api) -> None:
    battle = make_running_battle(api)
    elsewhere = upload_problem(api)

    body = assert_problem_details(submit(api, battle, problem=elsewhere), 409)

    assert body["error"] == "ProblemNotInBattle"


def test_a_battle_can_be_cancelled_from_the_lobby_but_not_twice(api) -> None:
    battle = make_lobby_battle(api)
    as_admin = {"user": battle.admin, "role": "admin"}

    assert api.post(f"{battle.path}/cancel", **as_admin).json()["status"] == "cancelled"
    body = assert_problem_details(api.post(f"{battle.path}/cancel", **as_admin), 409)

    assert "cancelled" in body["detail"]
    assert "cancelled" in assert_problem_details(api.post(f"{battle.path}/start", **as_admin), 409)["detail"]
