"""Rejudging a submission: a new judging of its stored source, its verdict recorded beside the
first one (history kept), only the latest rejudge's result counting (docs/adr/0025)."""

from __future__ import annotations

from copy import deepcopy
from datetime import timedelta
import pytest

from arena.domain.room_player import RoomPlayer
from arena.domain.room_player_errors import (NotJudgedYet, SupersededRejudge, UnknownRejudge, UnknownSubmission,
                                             UnknownVerdict)
from tests.unit.domain.test_room_player import T0, event_names, joined, submit, verdict


def rejudge(player: RoomPlayer, submission_id: str) -> int:
    return player.request_rejudge(submission_id, "a" * 64, "print(3)", by="admin", at=T0 + timedelta(hours=1))


def revise(player: RoomPlayer, submission_id: str, number: int, value: str, points: int = 100) -> bool:
    return player.record_revised_verdict(submission_id, number, value, T0 + timedelta(hours=2),
                                         {"tests": 3}, points)


def judged(value: str = "AC") -> tuple[RoomPlayer, str]:
    player = joined()
    submission_id = submit(player)
    verdict(player, submission_id, value)
    player.collect_events()
    return player, submission_id


def test_a_judged_submission_is_rejudged_with_a_numbered_request_that_carries_its_source() -> None:
    player, submission_id = judged()

    assert rejudge(player, submission_id) == 1
    assert rejudge(player, submission_id) == 2

    events = player.collect_events()
    assert [type(e).__name__ for e in events] == ["RejudgeRequested", "RejudgeRequested"]
    assert (events[0].rejudge, events[0].source, events[0].problem_sha256, events[0].language) == (
        1, "print(3)", "a" * 64, "python")
    assert events[0].battle_id == player.battle_id and events[0].requested_by == "admin"


def test_a_submission_still_waiting_for_its_first_verdict_cannot_be_rejudged() -> None:
    player = joined()
    submission_id = submit(player)

    with pytest.raises(NotJudgedYet):
        rejudge(player, submission_id)
    with pytest.raises(UnknownSubmission):
        rejudge(player, "nobody-sent-this")


def test_a_rejudge_verdict_becomes_current_and_the_first_verdict_stays_in_the_history() -> None:
    player, submission_id = judged("AC")
    rejudge(player, submission_id)

    assert revise(player, submission_id, 1, "WA") is True

    assert event_names(player) == ["RejudgeRequested", "VerdictRevised"]
    assert player.submissions[submission_id]["verdict"] == "WA"
    assert player.verdict_of(submission_id, 0) == "AC"
    assert player.verdict_of(submission_id, 1) == "WA"
    assert player.solved == {} and player.score == 0


def test_the_same_verdict_again_is_a_new_event_that_changes_nothing_else() -> None:
    player, submission_id = judged("AC")
    before = (player.solved.copy(), player.submissions[submission_id]["points"])
    rejudge(player, submission_id)
    revise(player, submission_id, 1, "AC")

    revised = player.collect_events()[-1]
    assert (revised.previous_verdict, revised.verdict, revised.points) == ("AC", "AC", 100)
    assert (player.solved, player.submissions[submission_id]["points"]) == before


def test_a_repeated_rejudge_verdict_is_a_no_op() -> None:
    player, submission_id = judged()
    rejudge(player, submission_id)
    revise(player, submission_id, 1, "WA")
    player.collect_events()

    assert revise(player, submission_id, 1, "WA") is False
    assert player.collect_events() == []


def test_the_result_of_a_superseded_rejudge_is_refused_so_it_never_overwrites_the_latest() -> None:
    player, submission_id = judged("AC")
    rejudge(player, submission_id)
    rejudge(player, submission_id)

    with pytest.raises(SupersededRejudge):
        revise(player, submission_id, 1, "WA")
    assert revise(player, submission_id, 2, "AC") is True
    assert player.submissions[submission_id]["verdict"] == "AC"


def test_a_verdict_for_a_rejudge_nobody_asked_for_is_refused() -> None:
    player, submission_id = judged()
    with pytest.raises(UnknownRejudge):
        revise(player, submission_id, 1, "WA")
    rejudge(player, submission_id)
    with pytest.raises(UnknownRejudge):
        revise(player, submission_id, 2, "WA")
    with pytest.raises(UnknownVerdict):
        revise(player, submission_id, 1, "MAYBE")


def test_an_accept_earns_the_points_only_while_no_other_submission_of_the_problem_holds_them() -> None:
    player = joined()
    first = submit(player, at=T0)
    second = submit(player, at=T0 + timedelta(minutes=5))
    verdict(player, first, "WA")
    verdict(player, second, "AC", points=100)
    rejudge(player, first)
    revise(player, first, 1, "AC", points=100)

    assert player.submissions[first]["points"] == 0  # the second holds the problem's points
    assert player.solved == {"sum": 100} and player.score == 100

    rejudge(player, first)
    revise(player, first, 2, "AC", points=100)
    assert player.submissions[first]["points"] == 0 and player.score == 100


def test_taking_away_the_accept_that_held_the_points_while_another_accept_remains_keeps_the_score() -> None:
    """Finding (ADR 25): the room's score lost the problem's points in this case."""
    player = joined()
    first = submit(player, at=T0)
    second = submit(player, at=T0 + timedelta(minutes=5))
    verdict(player, first, "AC", points=100)
    verdict(player, second, "AC", points=100)  # carries 0: the first holds the points
    rejudge(player, first)

    revise(player, first, 1, "WA")

    assert player.solved == {"sum": 100} and player.score == 100  # the second still solves it
    changes = [e.score_change for e in player.collect_events() if type(e).__name__ == "VerdictRevised"]
    assert changes == [0]  # what the room projection adds
    rejudge(player, second)
    revise(player, second, 1, "WA")
    assert player.solved == {} and player.score == 0


def test_a_verdict_revised_event_of_an_older_release_replays_with_the_accepts_summed() -> None:
    player = joined()
    submission_id = submit(player)
    verdict(player, submission_id, "AC", points=100)
    rejudge(player, submission_id)
    revise(player, submission_id, 1, "AC")
    events = player.collect_events()
    del events[-1].__dict__["score_change"]  # as stored before the field existed

    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)

    assert rebuilt.solved == {"sum": 100}


def test_a_room_player_rebuilt_from_its_events_equals_the_live_one_and_copies_do_not_share_history() -> None:
    player = joined()
    submission_id = submit(player)
    verdict(player, submission_id, "AC")
    rejudge(player, submission_id)
    copy = deepcopy(player)
    revise(copy, submission_id, 1, "WA")
    assert player.verdict_of(submission_id, 1) is None  # the copy's change stayed in the copy

    rebuilt = None
    for event in copy.collect_events():
        rebuilt = event.mutate(rebuilt)
    assert rebuilt.submissions == copy.submissions and rebuilt.solved == copy.solved == {}


def test_a_scored_rejudge_below_the_full_score_earns_its_share_as_a_first_verdict_does() -> None:
    player, submission_id = judged("AC")
    rejudge(player, submission_id)

    player.record_revised_verdict(submission_id, 1, "WA", T0 + timedelta(hours=2),
                                  {"score": 40, "max_score": 100}, 250)

    assert player.submissions[submission_id]["points"] == 100  # 40% of 250, rounded down
    assert player.solved == {}  # not an accept: the problem is not solved
