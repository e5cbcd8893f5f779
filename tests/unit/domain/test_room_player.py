"""RoomPlayer: presence, submissions and verdicts of one user in one battle, in memory."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4, uuid5

import pytest

from arena.domain.errors import DomainError
from arena.domain.room_player import VERDICTS, PlayerState, RoomPlayer, room_player_id
from arena.domain.room_player_errors import (
    DuplicateSubmission,
    RoomPlayerError,
    UnknownSubmission,
    UnknownVerdict,
    WrongPlayerState,
)

BATTLE = UUID("6f1c2a4e-0000-4000-8000-000000000001")
T0 = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


def joined(user_id: str = "ada") -> RoomPlayer:
    return RoomPlayer(battle_id=BATTLE, user_id=user_id, at=T0)


def disconnected() -> RoomPlayer:
    player = joined()
    player.disconnect(at=T0 + timedelta(minutes=1))
    return player


def left() -> RoomPlayer:
    player = disconnected()
    player.leave(at=T0 + timedelta(minutes=6))
    return player


def completed() -> RoomPlayer:
    player = joined()
    player.complete(at=T0 + timedelta(minutes=30))
    return player


STATES = {
    PlayerState.PRESENT: joined,
    PlayerState.DISCONNECTED: disconnected,
    PlayerState.LEFT: left,
    PlayerState.COMPLETED: completed,
}


def submit(player: RoomPlayer, problem: str = "sum", submission_id: str | None = None,
           at: datetime = T0) -> str:
    submission_id = submission_id or str(uuid4())
    player.submit(submission_id=submission_id, problem=problem, problem_sha256="a" * 64,
                  language="python", source="print(3)", source_sha256="b" * 64, received_at=at)
    return submission_id


def verdict(player: RoomPlayer, submission_id: str, value: str, points: int = 100) -> bool:
    return player.record_verdict(submission_id, value, T0 + timedelta(minutes=2), {"tests": 3}, points)


def event_names(player: RoomPlayer) -> list[str]:
    return [type(event).__name__ for event in player.collect_events()]


# --- joining ----------------------------------------------------------------------------------

def test_a_player_joins_present_with_no_submissions_and_no_score() -> None:
    player = joined("ada")

    assert player.state is PlayerState.PRESENT
    assert (player.battle_id, player.user_id) == (BATTLE, "ada")
    assert player.joined_at == player.last_seen == T0
    assert player.disconnected_at is None
    assert (player.submissions, player.solved, player.score) == ({}, {}, 0)
    assert event_names(player) == ["Joined"]


def test_the_room_player_id_is_uuid5_of_battle_and_user() -> None:
    assert joined("ada").id == uuid5(BATTLE, "ada") == room_player_id(BATTLE, "ada")
    assert joined("grace").id != joined("ada").id
    assert RoomPlayer(battle_id=uuid4(), user_id="ada", at=T0).id != joined("ada").id


# --- presence ---------------------------------------------------------------------------------

def test_a_present_player_who_disconnects_is_disconnected_since_then() -> None:
    player = joined()
    at = T0 + timedelta(minutes=1)

    player.disconnect(at=at)

    assert player.state is PlayerState.DISCONNECTED
    assert player.disconnected_at == player.last_seen == at
    assert event_names(player)[-1] == "Disconnected"


@pytest.mark.parametrize("state", [PlayerState.DISCONNECTED, PlayerState.LEFT, PlayerState.COMPLETED])
def test_only_a_present_player_can_disconnect(state: PlayerState) -> None:
    player = STATES[state]()

    with pytest.raises(WrongPlayerState, match=f"cannot disconnect a player who is {state.value}"):
        player.disconnect(at=T0)

    assert player.state is state


@pytest.mark.parametrize("state", [PlayerState.DISCONNECTED, PlayerState.LEFT])
def test_a_disconnected_or_left_player_who_reconnects_is_present_again(state: PlayerState) -> None:
    player = STATES[state]()
    at = T0 + timedelta(minutes=10)

    player.reconnect(at=at)

    assert player.state is PlayerState.PRESENT
    assert player.disconnected_at is None
    assert player.last_seen == at
    assert event_names(player)[-1] == "Reconnected"


@pytest.mark.parametrize("state", [PlayerState.PRESENT, PlayerState.COMPLETED])
def test_a_present_or_completed_player_cannot_reconnect(state: PlayerState) -> None:
    player = STATES[state]()

    with pytest.raises(WrongPlayerState, match=f"cannot reconnect a player who is {state.value}"):
        player.reconnect(at=T0)

    assert player.state is state


def test_a_disconnected_player_who_does_not_come_back_has_left() -> None:
    player = disconnected()

    player.leave(at=T0 + timedelta(minutes=6))

    assert player.state is PlayerState.LEFT
    assert event_names(player)[-1] == "Left"


@pytest.mark.parametrize("state", [PlayerState.PRESENT, PlayerState.LEFT, PlayerState.COMPLETED])
def test_only_a_disconnected_player_can_be_marked_as_left(state: PlayerState) -> None:
    player = STATES[state]()

    with pytest.raises(WrongPlayerState, match=f"cannot mark as left a player who is {state.value}"):
        player.leave(at=T0)

    assert player.state is state


def test_a_present_player_can_complete_the_battle() -> None:
    player = joined()

    player.complete(at=T0 + timedelta(minutes=30))

    assert player.state is PlayerState.COMPLETED
    assert event_names(player)[-1] == "Completed"


@pytest.mark.parametrize("state", [PlayerState.DISCONNECTED, PlayerState.LEFT, PlayerState.COMPLETED])
def test_only_a_present_player_can_complete(state: PlayerState) -> None:
    player = STATES[state]()

    with pytest.raises(WrongPlayerState, match=f"cannot complete a player who is {state.value}"):
        player.complete(at=T0)

    assert player.state is state


# --- submissions ------------------------------------------------------------------------------

def test_a_submission_is_received_unjudged_and_its_event_names_battle_and_user() -> None:
    player = joined()
    player.collect_events()
    at = T0 + timedelta(minutes=3)

    submission_id = submit(player, "sum", at=at)

    assert player.submissions[submission_id] == {
        "id": submission_id, "problem": "sum", "language": "python", "source_sha256": "b" * 64,
        "received_at": at, "verdict": None, "points": None, "judged_at": None,
    }
    assert player.last_seen == at
    assert player.has_verdict(submission_id) is False
    (received,) = player.collect_events()
    assert type(received).__name__ == "SubmissionReceived"
    assert (received.battle_id, received.user_id, received.source) == (BATTLE, "ada", "print(3)")


def test_submissions_are_kept_in_arrival_order() -> None:
    player = joined()
    ids = [submit(player, problem) for problem in ("sum", "max", "sum")]

    assert list(player.submissions) == ids


def test_the_same_submission_id_twice_is_refused() -> None:
    player = joined()
    submission_id = submit(player)
    player.collect_events()

    with pytest.raises(DuplicateSubmission, match=submission_id):
        submit(player, "max", submission_id=submission_id)

    assert player.submissions[submission_id]["problem"] == "sum"
    assert player.collect_events() == []


def test_a_completed_player_cannot_submit() -> None:
    player = completed()

    with pytest.raises(WrongPlayerState, match="completed"):
        submit(player)

    assert player.submissions == {}


# --- verdicts ---------------------------------------------------------------------------------

def test_the_first_accepted_verdict_on_a_problem_gives_its_points() -> None:
    player = joined()
    submission_id = submit(player, "sum")

    assert verdict(player, submission_id, "AC", points=250) is True

    assert player.submissions[submission_id]["verdict"] == "AC"
    assert player.submissions[submission_id]["points"] == 250
    assert player.submissions[submission_id]["judged_at"] == T0 + timedelta(minutes=2)
    assert player.has_verdict(submission_id) is True
    assert player.solved == {"sum": 250}
    assert player.score == 250
    assert event_names(player)[-1] == "VerdictRecorded"


def test_a_second_accepted_verdict_on_the_same_problem_gives_nothing() -> None:
    player = joined()
    first, second = submit(player, "sum"), submit(player, "sum")
    verdict(player, first, "AC", points=100)

    assert verdict(player, second, "AC", points=100) is True

    assert player.submissions[second]["points"] == 0
    assert player.score == 100


def test_a_rejected_verdict_gives_nothing_and_does_not_block_a_later_accept() -> None:
    player = joined()
    wrong, right = submit(player, "sum"), submit(player, "sum")

    verdict(player, wrong, "WA")
    assert (player.submissions[wrong]["points"], player.score, player.solved) == (0, 0, {})

    verdict(player, right, "AC", points=100)
    assert player.score == 100


def test_the_score_is_the_sum_of_first_accepts_over_problems() -> None:
    player = joined()
    for problem, points in (("sum", 100), ("max", 300), ("sum", 100)):
        verdict(player, submit(player, problem), "AC", points=points)

    assert player.solved == {"sum": 100, "max": 300}
    assert player.score == 400


@pytest.mark.parametrize("repeat", ["AC", "WA"])
def test_a_repeated_verdict_is_a_no_op_that_returns_false(repeat: str) -> None:
    player = joined()
    submission_id = submit(player)
    verdict(player, submission_id, "AC", points=100)
    version = player.version
    player.collect_events()

    assert verdict(player, submission_id, repeat, points=999) is False

    assert player.submissions[submission_id]["verdict"] == "AC"
    assert player.score == 100
    assert player.version == version
    assert player.collect_events() == []


@pytest.mark.parametrize("value", ["ok", "ac", "", "PASSED"])
def test_an_unknown_verdict_is_refused(value: str) -> None:
    player = joined()
    submission_id = submit(player)

    with pytest.raises(UnknownVerdict):
        verdict(player, submission_id, value)

    assert player.has_verdict(submission_id) is False


def test_every_known_verdict_is_recorded() -> None:
    player = joined()
    for value in sorted(VERDICTS):
        assert verdict(player, submit(player), value) is True
    assert {s["verdict"] for s in player.submissions.values()} == VERDICTS


def test_a_verdict_for_an_unknown_submission_is_refused() -> None:
    player = joined()
    submit(player)

    with pytest.raises(UnknownSubmission):
        verdict(player, "no-such-submission", "AC")
    with pytest.raises(UnknownSubmission):
        player.has_verdict("no-such-submission")

    assert player.score == 0


def test_a_completed_player_still_gets_verdicts_for_earlier_submissions() -> None:
    player = joined()
    submission_id = submit(player)
    player.complete(at=T0 + timedelta(minutes=5))

    assert verdict(player, submission_id, "AC", points=100) is True
    assert player.score == 100


def test_a_player_is_rebuilt_from_its_events_into_the_same_state() -> None:
    player = joined()
    submission_id = submit(player)
    verdict(player, submission_id, "AC", points=100)
    player.disconnect(at=T0 + timedelta(minutes=4))

    copy = None
    for event in player.collect_events():
        copy = event.mutate(copy)

    assert (copy.state, copy.score, copy.submissions) == (player.state, 100, player.submissions)


def test_every_refusal_is_a_domain_error_the_api_can_map() -> None:
    for error in (WrongPlayerState, DuplicateSubmission, UnknownSubmission, UnknownVerdict):
        assert issubclass(error, RoomPlayerError) and issubclass(error, DomainError)


def test_a_scored_verdict_below_the_full_score_records_its_share_of_the_points() -> None:
    player = joined()
    partial, full = submit(player), submit(player)
    player.record_verdict(partial, "WA", T0, {"score": 40.0, "max_score": 100.0}, 250)
    player.record_verdict(full, "AC", T0, {"score": 100.0, "max_score": 100.0}, 250)
    assert player.submissions[partial]["points"] == 100 and player.submissions[full]["points"] == 250
    assert player.solved == {"sum": 250}
