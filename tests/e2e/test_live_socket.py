"""e2e: the live socket over a real server (PostgreSQL, the local bus feeding the hub, bwrap
judging): auth rejections, own verdicts only, and a resume with no gap and no duplicate."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from arena.api.auth import mint_token
from helpers import make_running_battle, submit, unique

WRONG = "print(0)"


def socket(api, battle, user: str | None, role: str = "player", after: int | None = None) -> ClientConnection:
    ws = connect(api.http.base_url.copy_with(scheme="ws").join(f"/api/v2/battles/{battle.id}/live").__str__(),
                 open_timeout=10)
    if user is not None:
        ws.send(json.dumps({"type": "auth", "token": mint_token(api.settings, user, role), "after": after}))
    return ws


def close_code(ws: ClientConnection, timeout: float = 10) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=timeout)
    return closed.value.rcvd.code


def receive_until(ws: ClientConnection, done, timeout: float = 30) -> list[dict[str, Any]]:
    """Messages until `done(messages)` holds (the test fails on timeout)."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not done(got):
        try:
            got.append(json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic()))))
        except TimeoutError:
            raise AssertionError(f"still waiting after {timeout} s, with {got}") from None
    return got


def test_a_socket_without_a_valid_token_is_closed_with_4401(api) -> None:
    battle = make_running_battle(api)
    with socket(api, battle, None) as ws:
        ws.send(json.dumps({"type": "auth", "token": "not-a-jwt", "after": None}))
        assert close_code(ws) == 4401
    with socket(api, battle, None) as ws:
        ws.send("hello")
        assert close_code(ws) == 4401


def test_a_socket_that_sends_nothing_is_closed_with_4401_after_five_seconds(api) -> None:
    battle = make_running_battle(api)
    with socket(api, battle, None) as ws:
        assert close_code(ws, timeout=10) == 4401


def test_a_user_who_has_not_joined_or_joined_another_battle_gets_4403(api) -> None:
    battle, other = make_running_battle(api), make_running_battle(api)
    with socket(api, battle, other.players[0]) as ws:
        assert close_code(ws) == 4403
    with socket(api, battle, unique("stranger")) as ws:
        assert close_code(ws) == 4403
    with socket(api, battle, other.admin, role="admin") as ws:  # another battle's admin
        assert close_code(ws) == 4403


def test_a_player_sees_their_own_verdict_and_others_see_only_the_scoreboard(api) -> None:
    ada, bob = unique("ada"), unique("bob")
    battle = make_running_battle(api, players=(ada, bob))
    with socket(api, battle, ada) as mine, socket(api, battle, bob) as theirs, \
            socket(api, battle, battle.admin, role="admin") as admins:
        first = receive_until(mine, lambda got: len(got) == 2)  # the snapshot, in position order
        assert first[0]["position"] < first[1]["position"]
        state = {m["type"]: m for m in first}
        assert state["battle"]["status"] == "running" and state["battle"]["ends_at"]
        assert set(state["presence"]["user_ids"]) == {ada, bob} and state["presence"]["v"] == 1
        receive_until(theirs, lambda got: len(got) == 2)
        receive_until(admins, lambda got: len(got) == 2)
        assert submit(api, battle, ada).status_code == 202
        verdict = receive_until(mine, lambda got: got and got[-1]["type"] == "verdict")[-1]
        assert verdict["verdict"] == "AC" and verdict["problem"] == battle.problems[0]
        assert verdict["tests"] and all(t["verdict"] == "AC" for t in verdict["tests"])
        rows = {row["user_id"]: row for row in verdict["rows"]}  # ada went up, so bob went down
        assert rows.keys() == {ada, bob} and rows[ada]["rank"] == 1 and rows[ada]["solved"] == 1
        assert rows[bob]["rank"] == 2
        board = receive_until(theirs, lambda got: got and got[-1]["type"] == "scoreboard")[-1]
        assert board["position"] == verdict["position"] and board["rows"] == verdict["rows"]
        assert receive_until(admins, lambda got: got and got[-1]["type"] == "scoreboard")[-1] == board


def test_a_resumed_socket_gets_what_it_missed_once_and_in_order(api) -> None:
    ada, bob = unique("ada"), unique("bob")
    battle = make_running_battle(api, players=(ada, bob))
    with socket(api, battle, ada) as steady:  # a second tab that never drops
        receive_until(steady, lambda got: len(got) == 2)
        dropping = socket(api, battle, ada)
        seen = receive_until(dropping, lambda got: len(got) == 2)
        assert submit(api, battle, ada, source=WRONG).status_code == 202
        seen += receive_until(dropping, lambda got: got and got[-1]["type"] == "verdict")
        dropping.close()  # forced away; meanwhile a verdict for each and a player more
        missed_from = seen[-1]["position"]
        assert submit(api, battle, bob).status_code == 202
        assert submit(api, battle, ada).status_code == 202
        carol = unique("carol")
        assert api.post(f"{battle.path}/join", user=carol).status_code == 200
        expected = receive_until(steady, lambda got: len([m for m in got if m["position"] > missed_from]) >= 3
                                 and any(m["type"] == "presence" and carol in m["user_ids"] for m in got)
                                 and sum(m["type"] in ("verdict", "scoreboard") and m["position"] > missed_from
                                         for m in got) >= 2)
        expected = [m for m in expected if m["position"] > missed_from]
        with socket(api, battle, ada, after=missed_from) as resumed:
            again = receive_until(resumed, lambda got: len(got) == len(expected))
            assert again == expected
            positions = [m["position"] for m in again]
            assert positions == sorted(set(positions)) and positions[0] > missed_from
            assert [m["type"] for m in again].count("verdict") == 1  # bob's is a scoreboard to ada
            with pytest.raises(TimeoutError):
                resumed.recv(timeout=1)  # and nothing twice


def presence_of(api, battle, until, timeout: float = 15) -> dict[str, Any]:
    """GET presence until `until(body)` holds: the socket's close is handled after the client's."""
    deadline = time.monotonic() + timeout
    while True:
        body = api.get(f"{battle.path}/presence", user=battle.admin, role="admin").json()
        if until(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_presence_follows_the_last_of_several_tabs(api) -> None:
    ada, bob = unique("ada"), unique("bob")
    battle = make_running_battle(api, players=(ada, bob))
    one, two = socket(api, battle, ada), socket(api, battle, ada)
    receive_until(one, lambda got: len(got) == 2)
    receive_until(two, lambda got: len(got) == 2)
    one.close()
    assert ada in presence_of(api, battle, lambda body: ada not in body["user_ids"], timeout=2)["user_ids"]
    two.close()  # the last tab: DISCONNECTED, and the leave timer runs
    gone = presence_of(api, battle, lambda body: ada not in body["user_ids"])
    assert gone["user_ids"] == [bob] and gone["count"] == 1
    room = {p["user_id"]: p["state"] for p in api.get(f"{battle.path}/room", user=bob).json()["players"]}
    assert room[ada] == "DISCONNECTED"
    with socket(api, battle, bob) as watching:
        receive_until(watching, lambda got: len(got) == 2)
        with socket(api, battle, ada):  # back within ARENA_LEAVE_AFTER: PRESENT again
            back = receive_until(watching, lambda got: got and got[-1]["type"] == "presence")[-1]
            assert back["user_ids"] == sorted([ada, bob]) and back["position"] > gone["position"]


def sse_events(lines, count: int) -> list[dict[str, Any]]:
    events, current = [], {}
    for line in lines:
        if not line:
            if "data" in current:
                events.append(current)
            current = {}
            if len(events) == count:
                return events
            continue
        field, _, value = line.partition(":")
        current[field] = value.strip()
    return events


def test_spectators_follow_the_stream_and_resume_with_last_event_id(api) -> None:
    ada, bob = unique("ada"), unique("bob")
    battle = make_running_battle(api, players=(ada, bob))
    url = f"/api/v2/battles/{battle.id}/stream"
    with api.http.stream("GET", url, timeout=30) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        snapshot = sse_events(lines, 2)
        assert {e["event"] for e in snapshot} == {"battle", "presence"}
        assert submit(api, battle, ada).status_code == 202
        [board] = sse_events(lines, 1)
    assert board["event"] == "scoreboard" and int(board["id"]) == json.loads(board["data"])["position"]
    assert submit(api, battle, bob, source=WRONG).status_code == 202
    assert submit(api, battle, bob).status_code == 202
    with api.http.stream("GET", url, headers={"Last-Event-ID": board["id"]}, timeout=30) as response:
        missed = sse_events(response.iter_lines(), 2)
    assert [e["event"] for e in missed] == ["scoreboard", "scoreboard"]  # spectators get no verdicts
    assert int(board["id"]) < int(missed[0]["id"]) < int(missed[1]["id"])
    assert api.http.get(url, headers={"Last-Event-ID": "soon"}).status_code == 422


def test_a_frozen_scoreboard_is_what_players_see_and_admins_see_the_live_one(api) -> None:
    ada, bob = unique("ada"), unique("bob")
    battle = make_running_battle(api, players=(ada, bob), duration_s=3600, freeze_last_s=3600)
    with socket(api, battle, ada) as mine, socket(api, battle, bob) as theirs, \
            socket(api, battle, battle.admin, role="admin") as admins:
        for ws in (mine, theirs, admins):
            receive_until(ws, lambda got: len(got) == 2)
        assert submit(api, battle, ada).status_code == 202
        verdict = receive_until(mine, lambda got: got and got[-1]["type"] == "verdict")[-1]
        assert verdict["verdict"] == "AC" and verdict["rows"] == []  # her own verdict, the frozen board
        board = receive_until(admins, lambda got: got and got[-1]["type"] == "scoreboard")[-1]
        assert {row["user_id"]: row["solved"] for row in board["rows"]}[ada] == 1
        assert api.post(f"{battle.path}/end", user=battle.admin, role="admin").status_code == 200
        ended = receive_until(theirs, lambda got: got and got[-1]["type"] == "battle")
        assert [m["type"] for m in ended] == ["battle"]  # no scoreboard reached bob during the freeze
        assert ended[0]["status"] == "ended" and {r["user_id"]: r["rank"] for r in ended[0]["rows"]}[ada] == 1


def test_the_scoreboard_route_is_frozen_for_players_and_whole_for_admins(api) -> None:
    ada, bob = unique("ada"), unique("bob")
    battle = make_running_battle(api, players=(ada, bob), duration_s=3600, freeze_last_s=3600)
    with socket(api, battle, battle.admin, role="admin") as admins:
        receive_until(admins, lambda got: len(got) == 2)
        assert submit(api, battle, ada).status_code == 202
        receive_until(admins, lambda got: got and got[-1]["type"] == "scoreboard")
    position = api.get(f"{battle.path}/presence", user=bob).json()["position"] + 100
    for path in (f"{battle.path}/scoreboard", f"{battle.path}/scoreboard?at={position}"):
        solved = lambda user, role="player": {r["user_id"]: r["solved"]  # noqa: E731
                                              for r in api.get(path, user=user, role=role).json()["rows"]}
        assert solved(bob)[ada] == 0 and solved(ada)[ada] == 0  # frozen, for her too
        assert solved(battle.admin, "admin")[ada] == 1
