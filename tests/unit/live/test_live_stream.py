"""The live stream's rules without I/O: audiences, one message per event, duplicates ignored,
and the first message a client sends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest
from eventsourcing.utils import get_topic
from pydantic import ValidationError

from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.handlers.routing import LIVE_EVENTS, live_keys
from arena.live import stream as live_stream
from arena.live.messages import Auth
from arena.live.stream import BattleStream

T0 = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
BATTLE = str(uuid4())


def started_stream(*users: str) -> tuple[BattleStream, dict[str, str]]:
    stream, ids = BattleStream(BATTLE), {user: str(uuid4()) for user in users}
    stream.apply(1, BATTLE, get_topic(Battle.Created), {"settings": {"scoring": "icpc"}})
    stream.apply(2, BATTLE, get_topic(Battle.ProblemAttached), {"slug": "sum", "points": 100})
    stream.apply(3, BATTLE, get_topic(Battle.LobbyOpened), {})
    for position, user in enumerate(users, start=4):
        stream.apply(position, ids[user], get_topic(RoomPlayer.Joined), {"user_id": user, "battle_id": BATTLE})
    stream.apply(10, BATTLE, get_topic(Battle.Started), {"at": T0, "ends_at": T0 + timedelta(hours=1)})
    return stream, ids


def verdict(user: str, verdict: str = "AC") -> dict:
    return {"submission_id": str(uuid4()), "battle_id": BATTLE, "user_id": user, "problem": "sum",
            "received_at": T0 + timedelta(minutes=5), "verdict": verdict, "points": 100 if verdict == "AC" else 0,
            "details": {"tests": [{"index": 0, "verdict": verdict, "time_ms": 12, "memory_kb": 900, "output": "3"}]}}


def test_every_streamed_event_is_read_by_the_stream_and_bound_by_its_key() -> None:
    read = {*live_stream._BATTLE_STATUS, *live_stream._PRESENCE, RoomPlayer.VerdictRecorded, RoomPlayer.VerdictRevised,
            Battle.Configured, Battle.ProblemAttached, Battle.ProblemDetached}
    assert set(LIVE_EVENTS) == read
    assert len(live_keys()) == len(LIVE_EVENTS) and "room_player.verdict_recorded" in live_keys()


def test_a_verdict_goes_to_its_owner_and_the_scoreboard_to_everyone_else_at_one_position() -> None:
    stream, _ = started_stream("ada", "bob")
    out = stream.apply(11, "rp", get_topic(RoomPlayer.VerdictRecorded), verdict("ada"))
    mine = [o.message for o in out if o.for_user("ada")]
    theirs = [o.message for o in out if o.for_user("bob")]
    assert [m.type for m in mine] == ["verdict"] and [m.type for m in theirs] == ["scoreboard"]
    assert mine[0].position == theirs[0].position == 11
    assert mine[0].tests[0].model_dump() == {"index": 0, "verdict": "AC", "time_ms": 12, "memory_kb": 900}
    assert {row["user_id"]: row["rank"] for row in theirs[0].rows} == {"ada": 1, "bob": 2}
    assert (mine[0].score, mine[0].max_score) == (None, None)  # a pass-fail problem has no score


def test_a_scored_verdict_carries_its_score_to_its_owner() -> None:
    stream, _ = started_stream("ada")
    scored = {**verdict("ada", "WA"), "details": {"tests": [], "score": 40.0, "max_score": 100.0,
                                                   "groups": [{"group": "secret", "verdict": "WA", "score": 40.0}]}}

    [message] = [o.message for o in stream.apply(11, "rp", get_topic(RoomPlayer.VerdictRecorded), scored)
                 if o.for_user("ada")]

    assert (message.type, message.score, message.max_score) == ("verdict", 40.0, 100.0)


def test_a_rejudge_that_takes_an_accept_away_sends_its_owner_the_verdict_and_everyone_the_new_board() -> None:
    stream, _ = started_stream("ada", "bob")
    first = verdict("ada")
    stream.apply(11, "rp", get_topic(RoomPlayer.VerdictRecorded), first)
    revised = {**first, "verdict": "WA", "points": 0, "rejudge": 1, "previous_verdict": "AC", "previous_points": 100,
               "details": {"tests": [{"index": 0, "verdict": "WA", "time_ms": 10, "memory_kb": 900}]}}

    out = stream.apply(12, "rp", get_topic(RoomPlayer.VerdictRevised), revised)

    [mine] = [o.message for o in out if o.for_user("ada")]
    [theirs] = [o.message for o in out if o.for_user("bob")]
    assert (mine.type, mine.verdict, mine.rejudge, mine.position) == ("verdict", "WA", 1, 12)
    assert theirs.type == "scoreboard"
    rows = {row["user_id"]: row for row in theirs.rows}
    assert rows["ada"]["solved"] == 0 and rows["ada"]["rank"] == rows["bob"]["rank"]  # the accept is gone


def test_an_event_at_or_below_the_folded_position_is_ignored() -> None:
    stream, _ = started_stream("ada")
    assert stream.apply(11, "rp", get_topic(RoomPlayer.VerdictRecorded), verdict("ada"))
    assert stream.apply(11, "rp", get_topic(RoomPlayer.VerdictRecorded), verdict("ada")) == []
    assert stream.apply(5, BATTLE, get_topic(Battle.Ended), {"at": T0}) == []


def test_presence_follows_the_room_players_events() -> None:
    stream, ids = started_stream("ada", "bob")
    [out] = stream.apply(12, ids["bob"], get_topic(RoomPlayer.Disconnected), {"at": T0})
    assert (out.message.count, out.message.user_ids) == (1, ["ada"])
    [out] = stream.apply(13, ids["bob"], get_topic(RoomPlayer.Reconnected), {"at": T0})
    assert out.message.user_ids == ["ada", "bob"] and out.message.position == 13
    assert stream.apply(14, str(uuid4()), get_topic(RoomPlayer.Left), {"at": T0}) == []  # not of this battle


def test_the_snapshot_is_the_battle_and_its_presence_in_position_order() -> None:
    stream, _ = started_stream("ada")
    snapshot = [o.message for o in stream.snapshot()]
    assert [(m.type, m.position) for m in snapshot] == [("presence", 4), ("battle", 10)]
    assert snapshot[1].status == "running" and snapshot[1].ends_at == T0 + timedelta(hours=1)


@pytest.mark.parametrize("message", [
    {"type": "auth"}, {"type": "auth", "token": ""}, {"type": "hello", "token": "x"},
    {"type": "auth", "token": "x", "after": -1}, {"type": "auth", "token": "x", "extra": 1}])
def test_a_malformed_auth_message_is_refused(message: dict) -> None:
    with pytest.raises(ValidationError):
        Auth.model_validate(message)


def test_a_frozen_board_hides_late_verdicts_from_all_but_admins_until_the_end() -> None:
    stream, _ = BattleStream(BATTLE), None
    stream.apply(1, BATTLE, get_topic(Battle.Created), {"settings": {"scoring": "icpc", "freeze_last_s": 600}})
    stream.apply(2, BATTLE, get_topic(Battle.ProblemAttached), {"slug": "sum", "points": 100})
    for position, user in ((4, "ada"), (5, "bob")):
        stream.apply(position, str(uuid4()), get_topic(RoomPlayer.Joined), {"user_id": user, "battle_id": BATTLE})
    stream.apply(10, BATTLE, get_topic(Battle.Started), {"at": T0, "ends_at": T0 + timedelta(hours=1)})
    early = stream.apply(11, "rp", get_topic(RoomPlayer.VerdictRecorded), verdict("bob"))
    assert [o.message.type for o in early if o.for_user("carol")] == ["scoreboard"]  # before the freeze
    late = {**verdict("ada"), "received_at": T0 + timedelta(minutes=55)}
    out = stream.apply(12, "rp", get_topic(RoomPlayer.VerdictRecorded), late)
    [mine] = [o.message for o in out if o.for_user("ada")]
    assert mine.type == "verdict" and mine.rows == []  # her own verdict, on the frozen board
    assert [o for o in out if o.for_user("bob")] == []  # players and spectators learn nothing
    [admins] = [o.message for o in out if o.for_user("root", is_admin=True)]
    assert {row["user_id"]: row["rank"] for row in admins.rows} == {"ada": 2}  # bob solved earlier
    ended = stream.apply(13, BATTLE, get_topic(Battle.Ended), {"at": T0 + timedelta(hours=1)})
    [revealed] = [o.message for o in ended if o.for_user("bob")]
    assert revealed.status == "ended" and {row["user_id"]: row["rank"] for row in revealed.rows} == {"ada": 2}
    [for_admins] = [o.message for o in ended if o.for_user("root", is_admin=True)]
    assert for_admins.rows == []  # they saw it all along


def test_the_asyncapi_document_is_current() -> None:
    from pathlib import Path

    from arena.live.asyncapi import render

    written = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.json"
    assert written.read_text() == render(), "regenerate: python -m arena.live.asyncapi > docs/asyncapi.json"
