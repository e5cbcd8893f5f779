"""Rejudges over HTTP: 202 with the count, the history kept beside the first verdict, one effect
per Idempotency-Key, problem details for what is refused (docs/api.md)."""

from __future__ import annotations

import time
import uuid

from helpers import assert_problem_details, judged_submission, make_running_battle, unique


def rejudges(e2e_arena, battle, player: str, submission_id: str) -> int:
    """How many rejudges the event store holds for this submission."""
    stored = e2e_arena.app.get_room_player(uuid.UUID(battle.id), player).submissions[submission_id]
    return len(stored.get("rejudged", ()))


def wait_rejudged(api, player: str, submission_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while (body := api.get(f"/submissions/{submission_id}", user=player).json())["status"] != "judged":
        assert time.monotonic() < deadline, "the embedded judge gave no verdict for the rejudge"
        time.sleep(0.1)
    return body


def test_an_admin_rejudges_a_submission_and_it_is_judged_again_with_its_history_kept(api, e2e_arena) -> None:
    battle = make_running_battle(api)
    player = battle.players[0]
    submission_id = judged_submission(api, battle, player)
    first = api.get(f"/submissions/{submission_id}", user=player).json()

    response = api.post(f"/admin/submissions/{submission_id}/rejudge", user=battle.admin, role="admin")

    assert response.status_code == 202, response.text
    assert response.json() == {"count": 1}
    again = wait_rejudged(api, player, submission_id)
    assert again["verdict"] == first["verdict"]
    assert rejudges(e2e_arena, battle, player, submission_id) == 1
    events = [e.topic.rsplit(".", 1)[-1] for e in e2e_arena.app.recorder.select_events(
        e2e_arena.app.get_room_player(uuid.UUID(battle.id), player).id)]
    assert events.count("VerdictRecorded") == 1 and events.count("VerdictRevised") == 1


def test_a_problem_rejudge_answers_how_many_and_one_idempotency_key_makes_one_effect(api, e2e_arena) -> None:
    battle = make_running_battle(api, players=(unique("ada"), unique("bob")))
    submissions = [judged_submission(api, battle, player) for player in battle.players]
    path = f"/admin{battle.path}/problems/{battle.problems[0]}/rejudge"
    key = {"Idempotency-Key": unique("key")}

    first = api.post(path, user=battle.admin, role="admin", headers=key)
    replay = api.post(path, user=battle.admin, role="admin", headers=key)

    assert (first.status_code, first.json()) == (202, {"count": 2})
    assert (replay.status_code, replay.json()) == (202, {"count": 2})
    for player, submission_id in zip(battle.players, submissions):
        assert rejudges(e2e_arena, battle, player, submission_id) == 1


def test_another_admins_battle_and_a_submission_without_a_verdict_are_refused(api) -> None:
    battle = make_running_battle(api)
    path = f"/admin{battle.path}/problems/{battle.problems[0]}/rejudge"

    assert "owner" in assert_problem_details(api.post(path, user=unique("other"), role="admin"), 403)["detail"]
    assert_problem_details(api.post(f"/admin{battle.path}/problems/nope/rejudge", user=battle.admin,
                                    role="admin"), 409)
    assert_problem_details(api.post(f"/admin/submissions/{uuid.uuid4()}/rejudge", user=battle.admin,
                                    role="admin"), 404)
