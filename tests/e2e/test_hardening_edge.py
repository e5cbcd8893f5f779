"""Issue 10, the API side: what crosses the edge is checked there, and bad input is a 4xx
problem-details answer, never a 500, a reset connection or a stopped background process."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from arena.handlers.sweep import sweep
from helpers import (
    MARKDOWN,
    assert_problem_details,
    make_draft_battle,
    make_lobby_battle,
    make_running_battle,
    problem_document,
    submit,
    unique,
)

ADMIN = {"role": "admin"}


# --- finding 1: control characters ------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"title": "nul\u0000here"},
    {"title": "bell\u0007"},
    {"title": "two\nlines"},
    {"title": "t" * 201},
])
def test_finding_1_nul_in_text_is_refused_at_the_edge(api, body: dict) -> None:
    admin = unique("admin")

    problem = assert_problem_details(api.post("/battles", user=admin, json=body, **ADMIN), 422)

    assert "title" in json.dumps(problem)
    assert api.get("/battles?limit=5", user=admin, **ADMIN).status_code == 200


def test_finding_1_control_characters_in_changes_slugs_reasons_and_sources_are_refused(api) -> None:
    battle = make_draft_battle(api)
    as_admin = {"user": battle.admin, **ADMIN}

    assert_problem_details(api.patch(battle.path, json={"title": "a\u0000"}, **as_admin), 422)
    assert_problem_details(api.post(f"{battle.path}/problems", json={"slug": "a\u0000b"}, **as_admin), 422)
    assert_problem_details(api.post(f"{battle.path}/cancel", json={"reason": "x\u0000"}, **as_admin), 422)
    running = make_running_battle(api)
    assert_problem_details(submit(api, running, source="print(1)\u0000"), 422)
    assert submit(api, running, source="print(1)\n\tprint(2)\r\n").status_code == 202  # lines may span


@pytest.mark.parametrize("path", [
    "/problems/health%00check", "/battles?status=lobby%00", "/battles?status=%01",
    "/battles/{id}/problems/a%00b",
])
def test_finding_1_control_characters_in_paths_and_queries_are_a_bad_request(api, path: str) -> None:
    battle = make_draft_battle(api, problems=0)

    response = api.request("DELETE" if "{id}" in path else "GET", path.format(id=battle.id),
                           user=battle.admin, **ADMIN)

    assert_problem_details(response, 400)


# --- finding 2: bounded dates and numbers; the sweep goes on ------------------------------------

@pytest.mark.parametrize("start_at", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                                      "1999-12-31T23:59:59Z", "2101-01-01T00:00:00Z"])
def test_finding_2_extreme_start_at_is_refused(api, start_at: str) -> None:
    admin = unique("admin")
    battle = make_draft_battle(api, problems=0)

    created = api.post("/battles", user=admin, json={"title": "t", "start_at": start_at}, **ADMIN)
    changed = api.patch(battle.path, user=battle.admin, json={"start_at": start_at}, **ADMIN)

    assert "start_at" in json.dumps(assert_problem_details(created, 422))
    assert "start_at" in json.dumps(assert_problem_details(changed, 422))
    assert api.get("/battles", user=admin, **ADMIN).status_code == 200


def test_finding_2_a_start_at_in_the_window_is_kept(api) -> None:
    start_at = (datetime.now(timezone.utc) + timedelta(days=30)).replace(microsecond=0)

    created = api.post("/battles", user=unique("admin"), json={"title": "t", "start_at": start_at.isoformat()},
                       **ADMIN)

    assert created.status_code == 201, created.text
    assert datetime.fromisoformat(created.json()["start_at"]) == start_at


class OneBadBattle:
    """Stands in for the application: one battle's commands raise what no rule foresaw."""

    def __init__(self, bad: set[str]) -> None:
        self.bad, self.tried = bad, []

    def _command(self, battle_id) -> bool:
        self.tried.append(str(battle_id))
        if str(battle_id) in self.bad:
            raise OverflowError("date value out of range")
        return False

    start_battle_if_due = end_battle_if_due = _command

    def room(self, battle_id):
        if str(battle_id) in self.bad:
            raise ValueError("a row no one can read")
        return []


def test_finding_2_the_sweep_logs_skips_and_counts_a_failing_battle_and_goes_on(api, e2e_arena) -> None:
    lobby = [make_lobby_battle(api, players=()) for _ in range(2)]
    running = [make_running_battle(api, players=()) for _ in range(2)]
    app = OneBadBattle({lobby[0].id, running[0].id})

    done = sweep(app, e2e_arena.engine, timedelta(minutes=5), datetime.now(timezone.utc))

    assert {lobby[1].id, running[1].id} <= set(app.tried)
    assert done["failed"] >= 2


# --- finding 3: public paths are matched exactly ----------------------------------------------

@pytest.mark.parametrize("path", ["/problems/health", "/problems/ready", "/problems/schema",
                                  "/problems/metrics", "/problems/health-check"])
def test_finding_3_a_path_that_merely_contains_a_public_name_needs_a_token(api, path: str) -> None:
    assert_problem_details(api.get(path), 401)


def test_finding_3_a_problem_named_health_check_can_be_read_and_deleted(api) -> None:
    admin, slug = unique("admin"), unique("health-check")
    assert api.post("/problems", user=admin, headers=MARKDOWN, content=problem_document(slug), **ADMIN).status_code == 201

    assert api.get(f"/problems/{slug}", user=admin, **ADMIN).status_code == 200
    assert_problem_details(api.get(f"/problems/{slug}", user=unique("ada")), 403)  # not started: not a 500
    assert api.delete(f"/problems/{slug}", user=admin, **ADMIN).status_code == 204


@pytest.mark.parametrize("path", ["/health", "/ready", "/schema/openapi.json"])
def test_finding_3_the_public_paths_stay_public(api, path: str) -> None:
    assert api.get(path).status_code == 200


# --- finding 6: the body limit applies before anything buffers; oversized headers get 431 ------

def _raw_exchange(api, head: bytes, body_chunks: list[bytes]) -> tuple[int, dict]:
    """Sends a request by hand (so the test decides when to stop sending) and reads the answer."""
    url = urlsplit(str(api.http.base_url))
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except OSError:  # the server answered and closed: fine, read what it said
            pass
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    head_part, _, rest = answer.partition(b"\r\n\r\n")
    status = int(head_part.split(b" ", 2)[1])
    return status, json.loads(rest[:_length(answer)])


def _length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


@pytest.mark.parametrize("declared", [True, False])
def test_finding_6_a_large_body_with_an_idempotency_key_is_refused_before_it_is_read(api, declared: bool) -> None:
    token = api.headers(unique("admin"), "admin")["Authorization"]
    size = 60 * 1024 * 1024
    framing = f"Content-Length: {size}" if declared else "Transfer-Encoding: chunked"
    head = (f"POST /api/v2/battles HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n"
            f"Content-Type: application/json\r\nIdempotency-Key: {unique('k')}\r\n{framing}\r\n\r\n").encode()
    piece = b" " * 65536
    chunk = piece if declared else b"%x\r\n%s\r\n" % (len(piece), piece)

    # Only 1 MiB of the 60 is ever sent: the answer must come without the rest.
    status, body = _raw_exchange(api, head, [chunk] * 16)

    assert (status, body["status"]) == (413, 413)
    assert body["title"] == "Content Too Large"


@pytest.mark.parametrize("size", [16 * 1024, 200 * 1024])
def test_finding_6_an_oversized_header_is_answered_431_not_reset(api, size: int) -> None:
    response = api.get("/battles", headers={"Authorization": "Bearer " + "a" * size})

    body = assert_problem_details(response, 431)
    assert "Authorization" in body["detail"] or "authorization" in body["detail"]


def test_finding_6_ordinary_headers_pass(api) -> None:
    assert api.get("/battles", user=unique("ada"), headers={"X-Note": "n" * 2000}).status_code == 200


# --- finding 7: 4xx, not 500 -------------------------------------------------------------------

@pytest.mark.parametrize("query", ["offset=9223372036854775808", "offset=-1", "limit=0", "limit=501",
                                   "limit=99999999999999999999999", "status=paused"])
def test_finding_7_out_of_range_list_parameters_are_a_client_error(api, query: str) -> None:
    response = api.get(f"/battles?{query}", user=unique("ada"))

    assert response.status_code in (400, 422), response.text
    assert_problem_details(response, response.status_code)


@pytest.mark.parametrize("field", ["languages", "title", "duration_s", "scoring", "max_players"])
def test_finding_7_a_null_for_a_setting_that_cannot_be_null_is_unprocessable(api, field: str) -> None:
    battle = make_draft_battle(api)

    problem = assert_problem_details(api.patch(battle.path, user=battle.admin, json={field: None}, **ADMIN), 422)

    assert field in json.dumps(problem)


def test_finding_7_a_null_start_at_unschedules(api) -> None:
    battle = make_draft_battle(api, start_at="2030-01-01T00:00:00Z")

    response = api.patch(battle.path, user=battle.admin, json={"start_at": None}, **ADMIN)

    assert (response.status_code, response.json()["start_at"]) == (200, None)


def test_finding_7_json_nested_100000_deep_is_a_bad_request(api) -> None:
    deep = "[" * 100_000 + "]" * 100_000

    response = api.post("/battles", user=unique("admin"), content=deep,
                        headers={"Content-Type": "application/json"}, **ADMIN)

    assert response.status_code in (400, 422), response.text
    assert_problem_details(response, response.status_code)


@pytest.mark.parametrize("body", ['{"title": "t", "max_players": %s}' % ("9" * 5000),
                                  '{"title": "t", "points": %s}' % ("9" * 5000),
                                  '{"title": "t", "duration_s": 1e999}'])
def test_finding_7_a_5000_digit_number_is_a_client_error(api, body: str) -> None:
    response = api.post("/battles", user=unique("admin"), content=body,
                        headers={"Content-Type": "application/json"}, **ADMIN)

    assert response.status_code in (400, 422), response.text
    assert_problem_details(response, response.status_code)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_finding_7_a_json_route_refuses_other_media_types(api, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = api.post("/battles", user=unique("admin"), content=b'{"title": "t"}', headers=headers, **ADMIN)

    assert "application/json" in assert_problem_details(response, 415)["detail"]


def test_finding_7_a_json_route_takes_json_with_a_charset(api) -> None:
    response = api.post("/battles", user=unique("admin"), content=b'{"title": "t"}',
                        headers={"Content-Type": "application/json; charset=utf-8"}, **ADMIN)

    assert response.status_code == 201, response.text


def test_finding_7_an_empty_optional_body_needs_no_media_type(api) -> None:
    battle = make_draft_battle(api)

    assert api.post(f"{battle.path}/cancel", user=battle.admin, **ADMIN).status_code == 200


async def test_finding_6_the_body_limit_is_the_route_s_own_and_streamed_uploads_may_be_larger() -> None:
    from types import SimpleNamespace

    from arena.api.request_body import BodyTooLarge, request_body_middleware_factory

    async def reader(scope, receive, send) -> None:
        while (await receive()).get("more_body"):
            pass

    def scope_for(route_limit: int | None) -> dict:
        handler = SimpleNamespace(resolve_request_max_body_size=lambda: route_limit,
                                  parsed_fn_signature=SimpleNamespace(parameters={}))
        return {"type": "http", "headers": [(b"transfer-encoding", b"chunked")], "route_handler": handler}

    def chunks(n: int):
        messages = iter([{"type": "http.request", "body": b"x" * 1000, "more_body": True}] * n
                        + [{"type": "http.request", "body": b"", "more_body": False}])

        async def receive():
            return next(messages)
        return receive

    middleware = request_body_middleware_factory(streamed_limit=50_000)(reader)

    await middleware(scope_for(None), chunks(40), None)  # 40 kB: within the upload limit
    with pytest.raises(BodyTooLarge):
        await middleware(scope_for(10_000), chunks(40), None)  # over the route's own 10 kB
    with pytest.raises(BodyTooLarge):
        await middleware(scope_for(None), chunks(60), None)  # over the upload limit


def test_finding_6_a_head_beyond_the_server_s_bound_is_cut_off_and_the_server_goes_on(api) -> None:
    # httptools has no head limit of its own (api/http_protocol.py adds one): 4 MiB of one header
    # must not be buffered; the server answers 431 and closes (a client still sending may see
    # only the reset), and keeps serving everyone else.
    head = b"GET /api/v2/battles HTTP/1.1\r\nHost: arena\r\nX-Filler: "
    url = urlsplit(str(api.http.base_url))
    answer = b""
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        try:
            sock.sendall(head)
            for _ in range(64):
                sock.sendall(b"f" * 65536)
        except OSError:
            pass
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431 ")
    assert api.get("/health").status_code == 200
