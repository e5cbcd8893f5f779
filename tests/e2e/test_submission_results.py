"""A submission's results over HTTP (issue 13, item 1): its verdict per test with the data of
sample tests only, the compiler's message, a battle's submissions paged and filtered, and the
source, each for whom it is meant."""

from __future__ import annotations

import time

import pytest

from arena.judge.runner import SAMPLE_OUTPUT_CAP
from helpers import BattleRef, assert_problem_details, make_running_battle, submit, unique

RIGHT = "print(sum(map(int, input().split())))"
SAMPLE_ONLY = "print(3)"  # right on the sample (1 2 -> 3), wrong on the hidden test
NOT_C = "int main( { return 0; }"


def wait_judged(api, player: str, submission_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while (body := api.get(f"/submissions/{submission_id}", user=player).json())["status"] != "judged":
        assert time.monotonic() < deadline, "the embedded judge gave no verdict"
        time.sleep(0.1)
    return body


def judged(api, battle: BattleRef, player: str, source: str, **overrides) -> dict:
    response = submit(api, battle, player=player, source=source, **overrides)
    assert response.status_code == 202, response.text
    return wait_judged(api, player, response.json()["id"])


@pytest.fixture(scope="module")
def played(api):
    ada, grace = unique("ada"), unique("grace")
    battle = make_running_battle(api, players=(ada, grace))
    wrong = judged(api, battle, ada, SAMPLE_ONLY)
    right = judged(api, battle, ada, RIGHT)
    rival = judged(api, battle, grace, RIGHT)
    return battle, ada, grace, wrong, right, rival


def test_a_verdict_shows_each_test_with_the_data_of_sample_tests_only(played) -> None:
    _, _, _, wrong, _, _ = played

    assert wrong["verdict"] == "WA"
    sample, hidden = wrong["tests"]
    assert {k: sample[k] for k in ("index", "sample", "verdict", "input", "expected", "output")} == {
        "index": 0, "sample": True, "verdict": "AC", "input": "1 2", "expected": "3", "output": "3\n"}
    assert isinstance(sample["time_ms"], int) and sample["memory_kb"] > 0
    assert {k: hidden[k] for k in ("index", "sample", "verdict", "input", "expected", "output")} == {
        "index": 1, "sample": False, "verdict": "WA", "input": None, "expected": None, "output": None}
    assert "2000000" not in str(wrong) and "1000000" not in str(wrong)  # the hidden test's data
    assert wrong["time_ms"] >= 0 and wrong["memory_kb"] > 0


def test_an_accepted_submission_shows_every_test_accepted(played) -> None:
    _, _, _, _, right, _ = played

    assert right["verdict"] == "AC" and [t["verdict"] for t in right["tests"]] == ["AC", "AC"]
    assert right["compile_output"] in ("", None)


def test_a_compilation_error_shows_the_compilers_message_and_no_tests(api) -> None:
    ada = unique("ada")
    battle = make_running_battle(api, players=(ada,))

    body = judged(api, battle, ada, NOT_C, language="c")

    assert body["verdict"] == "CE" and body["tests"] == []
    assert "error" in body["compile_output"] and len(body["compile_output"]) <= 8 * 1024


def test_a_sample_tests_output_is_capped(api) -> None:
    ada = unique("ada")
    battle = make_running_battle(api, players=(ada,))

    body = judged(api, battle, ada, "print('3' + ' ' * 100000)")

    assert len(body["tests"][0]["output"]) == SAMPLE_OUTPUT_CAP


def test_a_player_lists_only_their_own_submissions_of_a_battle(api, played) -> None:
    battle, ada, grace, wrong, right, _ = played

    body = api.get(f"{battle.path}/submissions", user=ada).json()

    assert [row["id"] for row in body["rows"]] == [wrong["id"], right["id"]]
    assert body["next_cursor"] is None
    assert set(body["rows"][0]) >= {"user_id", "problem", "language", "status", "verdict", "time_ms", "memory_kb"}
    assert api.get(f"{battle.path}/submissions", user=unique("stranger")).json()["rows"] == []


def test_a_player_may_not_ask_for_another_players_submissions(api, played) -> None:
    battle, ada, grace, *_ = played

    assert_problem_details(api.get(f"{battle.path}/submissions?user={grace}", user=ada), 403)


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admins_and_auditors_list_everyones_submissions_filtered_by_user_problem_and_verdict(
        api, played, role: str) -> None:
    battle, ada, grace, wrong, right, rival = played
    caller = unique(role)

    def ids(query: str) -> list[str]:
        response = api.get(f"{battle.path}/submissions{query}", user=caller, role=role)
        assert response.status_code == 200, response.text
        return [row["id"] for row in response.json()["rows"]]

    assert ids("") == [wrong["id"], right["id"], rival["id"]]
    assert ids(f"?user={grace}") == [rival["id"]]
    assert ids("?verdict=WA") == [wrong["id"]]
    assert ids(f"?verdict=AC&user={ada}") == [right["id"]]
    assert ids(f"?problem={battle.problems[0]}") == [wrong["id"], right["id"], rival["id"]]
    assert ids("?problem=no-such-problem") == []


def test_a_battles_submissions_page_with_a_cursor_in_arrival_order(api, played) -> None:
    battle, _, _, wrong, right, rival = played
    seen, cursor = [], None
    while True:
        query = "?limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(f"{battle.path}/submissions{query}", user="root", role="admin").json()
        seen += [row["id"] for row in body["rows"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == [wrong["id"], right["id"], rival["id"]]


@pytest.mark.parametrize("query", ["?cursor=bm90LWEtY3Vyc29y", "?cursor=!!", "?verdict=XX", "?limit=0"])
def test_a_bad_cursor_or_filter_is_a_4xx(api, played, query: str) -> None:
    battle, *_ = played

    response = api.get(f"{battle.path}/submissions{query}", user="root", role="admin")

    assert 400 <= response.status_code < 500
    assert_problem_details(response, response.status_code)


def test_the_submissions_of_an_unknown_battle_are_a_404(api) -> None:
    assert_problem_details(api.get("/battles/00000000-0000-4000-8000-000000000000/submissions", user="x"), 404)


def test_the_owner_and_an_admin_read_the_source_and_nobody_else(api, played) -> None:
    _, ada, grace, wrong, _, _ = played
    path = f"/submissions/{wrong['id']}/source"

    mine = api.get(path, user=ada)
    assert mine.status_code == 200, mine.text
    assert mine.json()["source"] == SAMPLE_ONLY and mine.json()["language"] == "python"
    assert api.get(path, user=unique("admin"), role="admin").json()["source"] == SAMPLE_ONLY
    assert_problem_details(api.get(path, user=grace), 403)
    assert_problem_details(api.get("/submissions/00000000-0000-4000-8000-000000000000/source", user=ada), 404)


def test_a_submission_judged_before_details_were_kept_shows_its_verdict_without_tests(
        api, e2e_postgres_url: str) -> None:
    import psycopg

    ada = unique("ada")
    battle = make_running_battle(api, players=(ada,))
    body = judged(api, battle, ada, RIGHT)
    with psycopg.connect(e2e_postgres_url, autocommit=True) as conn:  # as migration 0007 leaves an old row
        conn.execute("UPDATE submissions SET problem_sha256 = NULL, compile_output = NULL, tests = NULL, "
                     "time_ms = NULL, memory_kb = NULL WHERE id = %s", (body["id"],))

    response = api.get(f"/submissions/{body['id']}", user=ada)

    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in ("verdict", "tests", "compile_output", "time_ms")} == {
        "verdict": "AC", "tests": [], "compile_output": None, "time_ms": None}
