"""A scoring problem's submission over HTTP (issue 15, item 5): its score, the problem's maximum
and each test group's score in the detail and the battle's list, kept through a rejudge, and the
share of the problem's points it earns in a `points` battle; never a hidden test's data."""

from __future__ import annotations

import time

import pytest

from helpers import MARKDOWN, BattleRef, judged_submission, make_running_battle, submit, unique


# Two groups worth 40 and 60 of 100, scaled to the problem's 250 points (docs/scoreboard.md).
def scoring_problem(slug: str) -> str:
    return (f"---\ntitle: Double\nslug: {slug}\npoints: 250\ntime_limit_ms: 2000\nscoring:\n"
            "  - {path: \"\", ignore_sample: true, on_reject: continue}\n"
            "  - {path: secret, on_reject: continue}\n"
            "  - {path: secret/small, accept_score: 40, aggregation: min}\n"
            "  - {path: secret/large, accept_score: 60, aggregation: min}\n"
            "samples:\n  - {input: \"1\", output: \"2\", name: \"1\"}\n"
            "tests:\n  - {input: \"5000\", output: \"10000\", name: large/1}\n"
            "  - {input: \"3\", output: \"6\", name: small/1}\n"
            "---\n\nDouble it.\n")


SMALL_ONLY = "n = int(input())\nprint(2 * n if n < 1000 else 0)"  # right on the small group only


def wait_judged(api, player: str, submission_id: str, after: str | None = None, timeout: float = 60) -> dict:
    """The submission once judged (again, if `after` is the previous verdict's judged_at)."""
    deadline = time.monotonic() + timeout
    while True:
        body = api.get(f"/submissions/{submission_id}", user=player).json()
        if body["status"] == "judged" and body["judged_at"] != after:
            return body
        assert time.monotonic() < deadline, "the embedded judge gave no verdict"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def scored(api):
    admin, ada = unique("admin"), unique("ada")
    slug = unique("double")
    uploaded = api.post("/problems", user=admin, role="admin", headers=MARKDOWN, content=scoring_problem(slug))
    assert uploaded.status_code == 201, uploaded.text
    created = api.post("/battles", user=admin, role="admin",
                       json={"title": unique("battle"), "languages": ["python"], "scoring": "points"})
    assert created.status_code == 201, created.text
    battle = BattleRef(id=created.json()["id"], admin=admin, problems=[slug], players=[ada])
    for path, user, role in ((f"{battle.path}/problems", admin, "admin"), (f"{battle.path}/lobby", admin, "admin"),
                             (f"{battle.path}/join", ada, "player"), (f"{battle.path}/start", admin, "admin")):
        response = api.post(path, user=user, role=role, json={"slug": slug} if path.endswith("problems") else None)
        assert response.status_code == 200, response.text
    response = submit(api, battle, player=ada, source=SMALL_ONLY)
    assert response.status_code == 202, response.text
    return battle, ada, wait_judged(api, ada, response.json()["id"])


def test_a_partly_scored_submission_shows_its_score_and_each_groups_score(scored) -> None:
    _, _, submission = scored

    assert submission["verdict"] == "WA" and submission["points"] == 100  # 40 of 100 x 250
    assert (submission["score"], submission["max_score"]) == (40, 100)
    groups = {group["group"]: group for group in submission["groups"]}
    assert {name: (g["verdict"], g["score"], g["max_score"]) for name, g in groups.items()} == {
        "secret/small": ("AC", 40, 40), "secret/large": ("WA", 0, 60), "secret": ("WA", 40, 100)}
    assert "10000" not in str(submission) and "5000" not in str(submission)  # a hidden test's data


def test_the_battles_list_shows_the_score_and_groups_too(api, scored) -> None:
    battle, ada, submission = scored

    [row] = api.get(f"{battle.path}/submissions", user=ada).json()["rows"]

    assert (row["id"], row["score"], row["max_score"]) == (submission["id"], 40, 100)
    assert row["groups"] == submission["groups"]


def test_the_scoreboard_gives_the_share_of_the_problems_points(api, scored) -> None:
    battle, ada, _ = scored

    [row] = api.get(f"{battle.path}/scoreboard", user=ada).json()["rows"]

    assert (row["user_id"], row["points"], row["solved"]) == (ada, 100, 0)


def test_a_rejudge_shows_the_score_again(api, scored) -> None:
    battle, ada, submission = scored

    response = api.post(f"/admin/submissions/{submission['id']}/rejudge", user=battle.admin, role="admin")

    assert response.status_code == 202, response.text
    again = wait_judged(api, ada, submission["id"], after=submission["judged_at"])
    assert (again["score"], again["max_score"], again["groups"]) == (40, 100, submission["groups"])


def test_a_pass_fail_problems_submission_has_no_score(api) -> None:
    battle = make_running_battle(api)
    player = battle.players[0]
    submission = api.get(f"/submissions/{judged_submission(api, battle, player)}", user=player).json()

    assert submission["verdict"] == "AC"
    assert (submission["score"], submission["max_score"], submission["groups"]) == (None, None, None)
