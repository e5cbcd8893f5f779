"""Errors over HTTP: every one is problem details; 404s, 409s, 413s and 422s say what is wrong;
health, readiness and the schema answer; request ids come back."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from helpers import (
    MARKDOWN,
    assert_problem_details,
    make_draft_battle,
    make_running_battle,
    private_api,
    problem_document,
    submit,
    unique,
    upload_problem,
)

ADMIN = {"role": "admin"}


# --- 404 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, what", [
    ("GET", "/battles/{id}", "no battle"),
    ("GET", "/battles/{id}/room", "no battle"),
    ("PATCH", "/battles/{id}", "no battle"),
    ("POST", "/battles/{id}/lobby", "no battle"),
    ("POST", "/battles/{id}/join", "no battle"),
    ("POST", "/battles/{id}/start", "no battle"),
    ("GET", "/submissions/{id}", "no submission"),
])
def test_an_unknown_id_is_not_found(api, method: str, path: str, what: str) -> None:
    unknown = uuid.uuid4()
    json = {"title": "t"} if method == "PATCH" else None

    response = api.request(method, path.format(id=unknown), user=unique("admin"), json=json, **ADMIN)

    body = assert_problem_details(response, 404)
    assert what in body["detail"]
    assert str(unknown) in body["detail"]
    assert body["instance"] == "/api/v2" + path.format(id=unknown)


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_an_unknown_problem_slug_is_not_found(api, method: str) -> None:
    slug = unique("nope")

    body = assert_problem_details(api.request(method, f"/problems/{slug}", user=unique("a"), **ADMIN), 404)

    assert slug in body["detail"]


def test_attaching_an_unknown_problem_is_not_found(api) -> None:
    battle = make_draft_battle(api, problems=0)
    slug = unique("nope")

    body = assert_problem_details(
        api.post(f"{battle.path}/problems", user=battle.admin, json={"slug": slug}, **ADMIN), 404)

    assert slug in body["detail"]


@pytest.mark.parametrize("path", ["/battles/not-a-uuid", "/submissions/42", "/nothing-here"])
def test_a_path_that_names_nothing_is_not_found(api, path: str) -> None:
    assert_problem_details(api.get(path, user=unique("a"), **ADMIN), 404)


def test_a_method_a_route_does_not_have_is_not_allowed(api) -> None:
    battle = make_draft_battle(api, problems=0)

    assert_problem_details(api.request("PUT", battle.path, user=battle.admin, json={}, **ADMIN), 405)


# --- 409 ---------------------------------------------------------------------------------------

def test_a_refused_transition_is_a_conflict_naming_the_error_and_the_state(api) -> None:
    battle = make_draft_battle(api)

    body = assert_problem_details(api.post(f"{battle.path}/start", user=battle.admin, **ADMIN), 409)

    assert body["detail"] == "cannot start a battle that is draft"
    assert body["error"] == "WrongBattleState"
    assert body["title"] == "Conflict"


def test_opening_a_lobby_without_problems_is_a_conflict(api) -> None:
    battle = make_draft_battle(api, problems=0)

    body = assert_problem_details(api.post(f"{battle.path}/lobby", user=battle.admin, **ADMIN), 409)

    assert body["error"] == "NoProblems"


def test_detaching_a_problem_that_is_not_attached_is_a_conflict(api) -> None:
    battle = make_draft_battle(api)

    body = assert_problem_details(
        api.delete(f"{battle.path}/problems/{unique('other')}", user=battle.admin, **ADMIN), 409)

    assert body["error"] == "ProblemNotInBattle"


# --- 422 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, key", [
    ({"title": "t", "colour": "red"}, "colour"),
    ({"title": "t", "scoring": "elo"}, "scoring"),
    ({"title": "t", "max_players": 0}, "max_players"),
    ({"title": "t", "languages": []}, "languages"),
    ({"title": ""}, "title"),
    ({}, "title"),
])
def test_a_bad_battle_body_is_unprocessable_and_names_the_key(api, body: dict, key: str) -> None:
    response = api.post("/battles", user=unique("admin"), json=body, **ADMIN)

    problem = assert_problem_details(response, 422)
    assert key in [error.get("key") for error in problem["errors"]]


def test_a_body_that_is_not_an_object_is_unprocessable(api) -> None:
    assert_problem_details(api.post("/battles", user=unique("admin"), json=["t"], **ADMIN), 422)


def test_a_body_that_is_not_json_is_a_bad_request(api) -> None:
    response = api.post("/battles", user=unique("admin"), content=b"{title: t",
                        headers={"Content-Type": "application/json"}, **ADMIN)

    assert_problem_details(response, 400)


def test_an_unknown_field_in_a_change_is_unprocessable_and_changes_nothing(api) -> None:
    battle = make_draft_battle(api)
    before = api.get(battle.path, user=battle.admin, **ADMIN).json()

    problem = assert_problem_details(
        api.patch(battle.path, user=battle.admin, json={"titel": "typo"}, **ADMIN), 422)

    assert [error["key"] for error in problem["errors"]] == ["titel"]
    assert api.get(battle.path, user=battle.admin, **ADMIN).json() == before


def test_a_start_time_without_a_timezone_is_unprocessable(api) -> None:
    battle = make_draft_battle(api)

    problem = assert_problem_details(
        api.patch(battle.path, user=battle.admin, json={"start_at": "2026-12-01T18:00:00"}, **ADMIN), 422)

    assert problem["field"] == "start_at"
    assert "start_at needs a timezone" in problem["detail"]


def test_a_language_this_server_cannot_judge_is_unprocessable(api) -> None:
    problem = assert_problem_details(
        api.post("/battles", user=unique("admin"), json={"title": "t", "languages": ["cobol"]}, **ADMIN), 422)

    assert problem["field"] == "languages"
    assert "cobol" in problem["detail"]


def test_a_source_over_the_source_limit_is_unprocessable(api) -> None:
    battle = make_running_battle(api)

    problem = assert_problem_details(submit(api, battle, source="x" * 60_000), 422)

    assert problem["field"] == "source"


@pytest.mark.parametrize("front_matter, field", [
    ("title: T", "slug"),
    ("slug: {slug}", "title"),
    ("title: T\nslug: Not_A_Slug", "slug"),
    ("title: T\nslug: {slug}\npoints: -1", "points"),
    ("title: T\nslug: {slug}\ntests:\n  - {{input: '1'}}", "tests.0.output"),
    ("- title\n- slug", "front_matter"),
    ("title: [unclosed", "front_matter"),
])
def test_bad_front_matter_is_unprocessable_and_names_the_field(api, front_matter: str, field: str) -> None:
    slug = unique("p")
    document = f"---\n{front_matter.format(slug=slug)}\n---\nStatement.\n"

    response = api.post("/problems", user=unique("admin"), headers=MARKDOWN, content=document, **ADMIN)

    assert assert_problem_details(response, 422)["field"] == field
    assert_problem_details(api.get(f"/problems/{slug}", user=unique("admin"), **ADMIN), 404)


def test_a_document_without_front_matter_is_unprocessable(api) -> None:
    response = api.post("/problems", user=unique("admin"), headers=MARKDOWN,
                        content=b"# Sum\n\nNo front matter.\n", **ADMIN)

    assert assert_problem_details(response, 422)["field"] == "front_matter"


@pytest.mark.parametrize("content", [b"", b"  \n", b"---\ntitle: \xff\n---\n"])
def test_an_empty_or_undecodable_document_is_unprocessable(api, content: bytes) -> None:
    response = api.post("/problems", user=unique("admin"), headers=MARKDOWN, content=content, **ADMIN)

    assert assert_problem_details(response, 422)["field"] == "document"


def test_a_document_sent_as_json_is_an_unsupported_media_type(api) -> None:
    response = api.post("/problems", user=unique("admin"), json={"title": "T"}, **ADMIN)

    assert "text/markdown" in assert_problem_details(response, 415)["detail"]


def test_uploading_the_same_document_again_changes_nothing(api) -> None:
    admin = unique("admin")
    slug = upload_problem(api, admin)

    again = api.post("/problems", user=admin, headers=MARKDOWN, content=problem_document(slug), **ADMIN)

    assert again.status_code == 200
    assert again.json()["slug"] == slug


# --- 401 / 403 bodies --------------------------------------------------------------------------

def test_unauthorized_and_forbidden_answers_are_problem_details(api) -> None:
    assert_problem_details(api.get("/battles"), 401)
    assert_problem_details(api.post("/battles", user=unique("ada"), json={"title": "t"}), 403)


# --- the event store stays usable ---------------------------------------------------------------

def test_changing_only_the_duration_keeps_the_api_working(api, postgres_url: str, tmp_path: Path) -> None:
    with private_api(api, postgres_url, tmp_path) as own:
        battle = make_draft_battle(own)
        as_admin = {"user": battle.admin, "role": "admin"}

        changed = own.patch(battle.path, **as_admin, json={"duration_s": 600})
        created = own.post("/battles", **as_admin, json={"title": unique("next")})

        assert (changed.status_code, created.status_code) == (200, 201)


# --- health, readiness, schema, request ids -----------------------------------------------------

def test_health_says_ok(api) -> None:
    response = api.get("/health")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readiness_checks_the_database_and_reports_the_breakers(api) -> None:
    response = api.get("/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["checks"] == {"database": "ok", "broker": "not configured", "redis": "not configured"}
    assert response.json()["breakers"] == {"database": "closed"}


def test_the_openapi_schema_describes_the_api(api) -> None:
    response = api.get("/schema/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "arena"
    assert {"/api/v2/battles", "/api/v2/battles/{battle_id}/submissions", "/api/v2/problems"} <= set(schema["paths"])


@pytest.mark.parametrize("path, user", [("/health", None), ("/battles", "ada"), ("/battles/{unknown}", "ada")])
def test_a_request_id_sent_is_echoed_back(api, path: str, user: str | None) -> None:
    request_id = unique("req")

    response = api.get(path.format(unknown=uuid.uuid4()), user=user, headers={"X-Request-ID": request_id})

    assert response.headers["x-request-id"] == request_id


def test_a_request_id_is_made_when_none_or_an_unsafe_one_is_sent(api) -> None:
    made = api.get("/health").headers["x-request-id"]
    replaced = api.get("/health", headers={"X-Request-ID": "two words\"<script>"}).headers["x-request-id"]

    assert len(made) == 32 and int(made, 16) >= 0
    assert len(replaced) == 32 and replaced != made


@pytest.mark.parametrize("path", ["/battles", "/no-such-route"])
def test_a_request_id_is_echoed_back_on_early_errors_too(api, path: str) -> None:
    request_id = unique("req")

    response = api.get(path, headers={"X-Request-ID": request_id})

    assert response.status_code in (401, 404)
    assert response.headers.get("x-request-id") == request_id
