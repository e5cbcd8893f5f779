"""Who may call what: anonymous -> 401, player -> 403 on admin routes, another player -> 403 on
someone else's submission, admin -> 2xx on its own battles. Every route of the API is in the table
below (an admin acting on another admin's battle: test_battle_ownership.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from sum_packages import SUM, sum_package
from helpers import (
    MARKDOWN,
    BattleRef,
    assert_problem_details,
    judged_submission,
    make_draft_battle,
    make_ended_battle,
    make_lobby_battle,
    make_running_battle,
    problem_document,
    submit,
    unique,
    upload_problem,
)

Prepare = Callable[[Any, str], dict[str, Any]]  # (api, caller) -> request kwargs incl. "path"


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # as the OpenAPI document names it, under /api/v2
    admin_only: bool
    prepare: Prepare  # builds the state in which the caller's request should succeed

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def _draft(api, caller: str) -> BattleRef:
    return make_draft_battle(api, admin=caller, problems=2)  # the caller's own, were it an admin


def _running_with(api, caller: str) -> BattleRef:
    return make_running_battle(api, players=(caller,))


def _my_submission(api, caller: str) -> dict[str, Any]:
    battle = make_running_battle(api, players=(caller,))
    response = submit(api, battle, player=caller)
    assert response.status_code == 202, response.text
    return {"path": f"/submissions/{response.json()['id']}"}


def _my_source(api, caller: str) -> dict[str, Any]:
    return {"path": _my_submission(api, caller)["path"] + "/source"}


def _someones_submission(api, caller: str) -> dict[str, Any]:
    return _my_submission(api, unique("owner"))


def _played_and_ended(api, caller: str) -> BattleRef:
    """A battle the caller played in, ended: the e2e server's bus settles and rates it in process."""
    return make_ended_battle(api, players=(caller, unique("rival")))


def _rated(api, caller: str) -> dict[str, Any]:
    _played_and_ended(api, caller)
    return {"path": f"/users/{caller}/rating"}


def _disconnected(api, caller: str) -> dict[str, Any]:
    battle = _running_with(api, caller)
    assert api.post(f"{battle.path}/disconnect", user=caller).status_code == 200
    return {"path": f"{battle.path}/reconnect"}


def _judged_in_my_battle(api, caller: str) -> dict[str, Any]:
    """A judged submission in a battle the caller runs (were the caller an admin)."""
    battle = make_running_battle(api, admin=caller, players=(unique("player"),))
    return {"path": f"/admin/submissions/{judged_submission(api, battle, battle.players[0])}/rejudge"}


def _problem_of_my_battle(api, caller: str) -> dict[str, Any]:
    battle = make_running_battle(api, admin=caller, players=(unique("player"),))
    return {"path": f"/admin{battle.path}/problems/{battle.problems[0]}/rejudge"}


ROUTES = [
    Route("POST", "/battles", True, lambda api, caller: {"path": "/battles", "json": {"title": unique("t")}}),
    Route("GET", "/battles", False, lambda api, caller: {"path": "/battles"}),
    Route("GET", "/battles/{battle_id}", False,
          lambda api, caller: {"path": make_lobby_battle(api, players=()).path}),  # players see no drafts
    Route("PATCH", "/battles/{battle_id}", True,
          lambda api, caller: {"path": _draft(api, caller).path, "json": {"title": unique("t"), "duration_s": 600}}),
    Route("POST", "/battles/{battle_id}/problems", True,
          lambda api, caller: {"path": f"{make_draft_battle(api, admin=caller, problems=0).path}/problems",
                               "json": {"slug": upload_problem(api)}}),
    Route("DELETE", "/battles/{battle_id}/problems/{slug}", True,
          lambda api, caller: (lambda b: {"path": f"{b.path}/problems/{b.problems[1]}"})(_draft(api, caller))),
    Route("POST", "/battles/{battle_id}/lobby", True,
          lambda api, caller: {"path": f"{_draft(api, caller).path}/lobby"}),
    Route("POST", "/battles/{battle_id}/co-admins", True,
          lambda api, caller: {"path": f"{_draft(api, caller).path}/co-admins", "json": {"user_id": unique("co")}}),
    Route("POST", "/battles/{battle_id}/join", False,
          lambda api, caller: {"path": f"{make_lobby_battle(api, players=()).path}/join"}),
    Route("POST", "/battles/{battle_id}/disconnect", False,
          lambda api, caller: {"path": f"{_running_with(api, caller).path}/disconnect"}),
    Route("POST", "/battles/{battle_id}/reconnect", False, _disconnected),
    Route("POST", "/battles/{battle_id}/start", True,
          lambda api, caller: {"path": f"{make_lobby_battle(api, admin=caller).path}/start"}),
    Route("POST", "/battles/{battle_id}/end", True,
          lambda api, caller: {"path": f"{make_running_battle(api, admin=caller).path}/end"}),
    Route("POST", "/battles/{battle_id}/cancel", True,
          lambda api, caller: {"path": f"{make_lobby_battle(api, admin=caller).path}/cancel",
                               "json": {"reason": "test"}}),
    Route("GET", "/battles/{battle_id}/room", False,
          lambda api, caller: {"path": f"{make_running_battle(api).path}/room"}),
    Route("GET", "/battles/{battle_id}/scoreboard", False,
          lambda api, caller: {"path": f"{make_running_battle(api).path}/scoreboard"}),
    Route("POST", "/battles/{battle_id}/submissions", False,
          lambda api, caller: (lambda b: {"path": f"{b.path}/submissions",
                                          "json": {"problem": b.problems[0], "language": "python",
                                                   "source": "print(3)"}})(_running_with(api, caller))),
    Route("POST", "/problems", True,
          lambda api, caller: {"path": "/problems", "headers": MARKDOWN,
                               "content": problem_document(unique("sum"))}),
    Route("GET", "/problems", False, lambda api, caller: {"path": "/problems"}),
    Route("GET", "/problems/{slug}", False,  # a public one: players read others once a battle starts
          lambda api, caller: {"path": f"/problems/{upload_problem(api, public=True)}"}),
    Route("DELETE", "/problems/{slug}", True, lambda api, caller: {"path": f"/problems/{upload_problem(api)}"}),
    Route("GET", "/problems/{slug}/verification", True, lambda api, caller: {"path": f"/problems/{_package(api)}/verification"}),
    Route("GET", "/submissions/{submission_id}", False, _my_submission),
    Route("GET", "/languages", False, lambda api, caller: {"path": "/languages"}),
    # The auditors' view: a player reads the settlement of a battle they played, their own
    # ledger rows, the leaderboard and anyone's rating (test_settlement_api.py: who sees what).
    Route("GET", "/battles/{battle_id}/settlement", False,
          lambda api, caller: {"path": f"{_played_and_ended(api, caller).path}/settlement"}),
    Route("GET", "/ledger", False, lambda api, caller: {"path": "/ledger"}),
    Route("GET", "/leaderboard", False, lambda api, caller: {"path": "/leaderboard"}),
    Route("GET", "/users/{user_id}/rating", False, _rated),
    # Organizers and results (issue 13): a player lists their own submissions and reads their own
    # source (test_submission_results.py: who sees what); the results' CSV is for admins and auditors.
    Route("GET", "/battles/{battle_id}/submissions", False,
          lambda api, caller: {"path": f"{_running_with(api, caller).path}/submissions"}),
    Route("GET", "/submissions/{submission_id}/source", False, _my_source),
    Route("POST", "/battles/{battle_id}/extend", True,
          lambda api, caller: {"path": f"{make_running_battle(api, admin=caller).path}/extend",
                               "json": {"seconds": 60}}),
    Route("GET", "/battles/{battle_id}/results.csv", True,
          lambda api, caller: {"path": f"{make_ended_battle(api).path}/results.csv"}),
    Route("GET", "/me", False, lambda api, caller: {"path": "/me"}),
    # Rejudges (issue 15): the battle's admins only (test_rejudge_api.py: another admin's battle)
    Route("POST", "/admin/submissions/{submission_id}/rejudge", True, _judged_in_my_battle),
    Route("POST", "/admin/battles/{battle_id}/problems/{slug}/rejudge", True, _problem_of_my_battle),
    # Live battles (issue 14): presence for any user; the socket authenticates in its first message
    Route("GET", "/battles/{battle_id}/presence", False,
          lambda api, caller: {"path": f"{make_running_battle(api).path}/presence"}),
]
ADMIN_ROUTES = [route for route in ROUTES if route.admin_only]
PLAYER_ROUTES = [route for route in ROUTES if not route.admin_only]
PUBLIC_PATHS = ["/health", "/ready", "/schema/openapi.json"]


def _package(api) -> str:
    """A Kattis package uploaded: the judge verifies it (its accepted submission derives the time limit)."""
    slug = unique("pkg")
    uploaded = api.post("/problems", user=unique("admin"), role="admin",
                        headers={"Content-Type": "application/zip"},
                        content=sum_package(slug, "name: Sum\n", **{"accepted/sum.py": SUM}))
    assert uploaded.status_code == 201, uploaded.text
    return uploaded.json()["slug"]


def call(api, route: Route, request: dict[str, Any], user: str | None, role: str = "player"):
    request = dict(request)
    return api.request(route.method, request.pop("path"), user=user, role=role, **request)


def test_the_table_names_every_route_of_the_api(api) -> None:
    paths = api.get("/schema/openapi.json").json()["paths"]
    served = {(method.upper(), path.removeprefix("/api/v2"))
              for path, operations in paths.items() if path.startswith("/api/v2")
              for method in operations if method in ("get", "post", "put", "patch", "delete")}

    assert served == {(route.method, route.template) for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_an_anonymous_caller_is_unauthorized_on_every_api_route(api, route: Route) -> None:
    request = route.prepare(api, unique("anon"))

    body = assert_problem_details(call(api, route, request, user=None), 401)

    assert body["instance"].startswith("/api/v2/")


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_caller_with_a_forged_token_is_unauthorized_on_every_api_route(api, route: Route) -> None:
    request = route.prepare(api, unique("forger"))
    request["headers"] = {**request.get("headers", {}), "Authorization": "Bearer not.a.token"}

    assert_problem_details(call(api, route, request, user=None), 401)


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=str)
def test_a_player_is_forbidden_on_every_admin_route(api, route: Route) -> None:
    player = unique("player")
    request = route.prepare(api, player)
    battles_before = {row["id"]: row["updated_at"] for row in api.get("/battles?limit=500", user=player).json()}
    problems_before = api.get("/problems", user=player).json()

    body = assert_problem_details(call(api, route, request, user=player), 403)

    assert "admin" in body["detail"]
    battles_after = {row["id"]: row["updated_at"] for row in api.get("/battles?limit=500", user=player).json()}
    assert battles_after == battles_before
    assert api.get("/problems", user=player).json() == problems_before


@pytest.mark.parametrize("route", PLAYER_ROUTES, ids=str)
def test_a_player_may_call_every_player_route(api, route: Route) -> None:
    player = unique("player")
    request = route.prepare(api, player)

    response = call(api, route, request, user=player)

    assert 200 <= response.status_code < 300, response.text


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_an_admin_may_call_every_route(api, route: Route) -> None:
    admin = unique("admin")
    request = route.prepare(api, admin)

    response = call(api, route, request, user=admin, role="admin")

    assert 200 <= response.status_code < 300, response.text


def test_another_player_is_forbidden_to_read_someone_elses_submission(api) -> None:
    request = _someones_submission(api, unique("nosy"))

    body = assert_problem_details(api.get(request["path"], user=unique("nosy")), 403)

    assert "owner" in body["detail"]


def test_a_player_who_plays_in_the_same_battle_still_cannot_read_a_rivals_submission(api) -> None:
    ada, grace = unique("ada"), unique("grace")
    battle = make_running_battle(api, players=(ada, grace))
    submission_id = submit(api, battle, player=ada).json()["id"]

    assert_problem_details(api.get(f"/submissions/{submission_id}", user=grace), 403)
    assert api.get(f"/submissions/{submission_id}", user=ada).status_code == 200


def test_a_token_with_no_valid_role_is_unauthorized(api) -> None:
    response = api.get("/battles", user=unique("who"), role="superuser")

    assert_problem_details(response, 401)


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_health_readiness_and_schema_need_no_token(api, path: str) -> None:
    response = api.get(path)

    assert response.status_code == 200, response.text
