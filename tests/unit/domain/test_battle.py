"""Battle: every transition and every refusal, in memory (no event store, no I/O)."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timedelta, timezone

import pytest

from arena.domain.acting import Admin
from arena.domain.battle import (
    AlreadyJoined,
    Battle,
    BattleError,
    BattleFull,
    BattleStatus,
    LanguageNotAllowed,
    NoProblems,
    NotJoined,
    ProblemAlreadyAttached,
    ProblemNotInBattle,
    WrongBattleState,
)
from arena.domain.errors import DomainError, InvalidInput
from arena.domain.settings import BattleSettings

T0 = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)
SHA_A = "a" * 64
SHA_B = "b" * 64


def draft(**settings) -> Battle:
    return Battle.draft("admin", BattleSettings(**{"title": "Friday battle", **settings}), T0)


def with_problem(battle: Battle, slug: str = "sum", sha256: str = SHA_A, points: int = 100) -> Battle:
    battle.attach_problem(slug=slug, sha256=sha256, title=slug.title(), points=points)
    return battle


def in_lobby(**settings) -> Battle:
    battle = with_problem(draft(**settings))
    battle.open_lobby()
    return battle


def running(*players: str, **settings) -> Battle:
    battle = in_lobby(**settings)
    for player in players:
        battle.admit(player)
    battle.start(at=T0 + timedelta(minutes=5), by=Admin("admin"))
    return battle


def ended() -> Battle:
    battle = running("ada")
    battle.end(at=T0 + timedelta(hours=1), reason="time is up")
    return battle


def cancelled() -> Battle:
    battle = draft()
    battle.cancel(at=T0, reason="nobody came")
    return battle


STATES = {
    "draft": draft,
    "lobby": in_lobby,
    "running": running,
    "ended": ended,
    "cancelled": cancelled,
}


def event_names(battle: Battle) -> list[str]:
    return [type(event).__name__ for event in battle.collect_events()]


# --- creation ---------------------------------------------------------------------------------

def test_a_new_battle_is_a_draft_owned_by_its_admin() -> None:
    battle = draft(languages=("python", "c"), max_players=4)

    assert battle.status is BattleStatus.DRAFT
    assert battle.admin_id == "admin"
    assert battle.created_at == T0
    assert battle.settings.languages == ("python", "c")
    assert battle.settings.max_players == 4
    assert (battle.problems, list(battle.players), battle.config_hash) == ({}, [], None)
    assert (battle.started_at, battle.ends_at, battle.ended_at) == (None, None, None)
    assert event_names(battle) == ["Created"]


def test_a_battle_is_rebuilt_from_its_events_into_the_same_state() -> None:
    battle = running("ada", "grace")
    events = battle.collect_events()

    copy = None
    for event in events:
        copy = event.mutate(copy)

    assert copy.status is BattleStatus.RUNNING
    assert list(copy.players) == ["ada", "grace"]
    assert copy.problems == battle.problems
    assert copy.config_hash == battle.config_hash
    assert copy.version == battle.version == len(events)


# --- configure --------------------------------------------------------------------------------

def test_configure_in_draft_changes_only_the_named_settings() -> None:
    battle = draft(duration_s=1800)

    battle.configure({"title": "Renamed", "scoring": "points"})

    assert battle.settings.title == "Renamed"
    assert battle.settings.scoring == "points"
    assert battle.settings.duration_s == 1800
    assert event_names(battle) == ["Created", "Configured"]


@pytest.mark.parametrize("changes, field", [
    ({"scoring": "elo"}, "scoring"),
    ({"languages": []}, "languages"),
    ({"max_players": 0}, "max_players"),
    ({"duration_s": 10}, "duration_s"),
    ({"start_at": datetime(2026, 12, 1, 18, 0)}, "start_at"),
    ({"colour": "red"}, "colour"),
])
def test_configure_refuses_invalid_settings_and_records_nothing(changes: dict, field: str) -> None:
    battle = draft()
    battle.collect_events()

    with pytest.raises(InvalidInput) as refused:
        battle.configure(changes)

    assert refused.value.field == field
    assert battle.settings == BattleSettings(title="Friday battle")
    assert battle.collect_events() == []


@pytest.mark.parametrize("state", ["lobby", "running", "ended", "cancelled"])
def test_configure_is_refused_outside_draft(state: str) -> None:
    battle = STATES[state]()

    with pytest.raises(WrongBattleState, match=f"cannot configure a battle that is {state}"):
        battle.configure({"title": "Too late"})

    assert battle.settings.title == "Friday battle"


# --- problems ---------------------------------------------------------------------------------

def test_attach_records_the_problem_hash_title_and_points() -> None:
    battle = with_problem(draft(), "sum", SHA_A, points=250)

    assert battle.problems == {"sum": {"sha256": SHA_A, "title": "Sum", "points": 250}}
    assert event_names(battle) == ["Created", "ProblemAttached"]


def test_attaching_the_same_problem_twice_is_refused() -> None:
    battle = with_problem(draft(), "sum")

    with pytest.raises(ProblemAlreadyAttached, match="'sum'"):
        with_problem(battle, "sum", SHA_B)

    assert battle.problems["sum"]["sha256"] == SHA_A


def test_detach_removes_an_attached_problem() -> None:
    battle = with_problem(with_problem(draft(), "sum"), "max")

    battle.detach_problem("sum")

    assert list(battle.problems) == ["max"]
    assert event_names(battle)[-1] == "ProblemDetached"


def test_detaching_a_problem_that_is_not_attached_is_refused() -> None:
    battle = with_problem(draft(), "sum")

    with pytest.raises(ProblemNotInBattle, match="'max'"):
        battle.detach_problem("max")

    assert list(battle.problems) == ["sum"]


@pytest.mark.parametrize("state", ["lobby", "running", "ended", "cancelled"])
def test_attach_and_detach_are_refused_outside_draft(state: str) -> None:
    battle = STATES[state]()
    before = dict(battle.problems)

    with pytest.raises(WrongBattleState, match=f"that is {state}"):
        with_problem(battle, "other", SHA_B)
    with pytest.raises(WrongBattleState, match=f"that is {state}"):
        battle.detach_problem(next(iter(battle.problems), "sum"))

    assert battle.problems == before


# --- lobby ------------------------------------------------------------------------------------

def test_opening_the_lobby_without_problems_is_refused() -> None:
    battle = draft()

    with pytest.raises(NoProblems):
        battle.open_lobby()

    assert battle.status is BattleStatus.DRAFT
    assert battle.config_hash is None


def test_opening_the_lobby_locks_a_config_hash() -> None:
    battle = in_lobby()

    assert battle.status is BattleStatus.LOBBY
    assert isinstance(battle.config_hash, str) and len(battle.config_hash) == 64
    assert event_names(battle)[-1] == "LobbyOpened"


def test_the_config_hash_is_the_same_for_the_same_settings_and_problems() -> None:
    assert in_lobby().config_hash == in_lobby().config_hash


@pytest.mark.parametrize("change", [
    lambda battle: battle.configure({"duration_s": 7200}),
    lambda battle: battle.configure({"languages": ["python", "c"]}),
    lambda battle: battle.configure({"scoring": "points"}),
    lambda battle: with_problem(battle, "max", SHA_B),
])
def test_the_config_hash_changes_when_settings_or_problems_change(change) -> None:
    reference = in_lobby()
    battle = with_problem(draft())
    change(battle)

    battle.open_lobby()

    assert battle.config_hash != reference.config_hash


def test_the_config_hash_changes_when_a_problem_document_changes() -> None:
    reference = in_lobby()
    battle = with_problem(draft(), "sum", SHA_B)

    battle.open_lobby()

    assert battle.config_hash != reference.config_hash


@pytest.mark.parametrize("state", ["lobby", "running", "ended", "cancelled"])
def test_the_lobby_opens_only_from_draft(state: str) -> None:
    battle = STATES[state]()

    with pytest.raises(WrongBattleState, match=f"cannot open the lobby of a battle that is {state}"):
        battle.open_lobby()


# --- admit ------------------------------------------------------------------------------------

def test_players_are_admitted_in_joining_order_in_the_lobby_and_while_running() -> None:
    battle = in_lobby()
    battle.admit("ada")
    battle.admit("grace")
    battle.start(at=T0, by=Admin("admin"))

    battle.admit("linus")

    assert list(battle.players) == ["ada", "grace", "linus"]


@pytest.mark.parametrize("state", ["draft", "ended", "cancelled"])
def test_nobody_is_admitted_outside_lobby_and_running(state: str) -> None:
    battle = STATES[state]()
    before = list(battle.players)

    with pytest.raises(WrongBattleState, match=f"cannot join a battle that is {state}"):
        battle.admit("newcomer")

    assert list(battle.players) == before


def test_a_player_who_already_joined_is_refused() -> None:
    battle = in_lobby()
    battle.admit("ada")

    with pytest.raises(AlreadyJoined, match="'ada'"):
        battle.admit("ada")

    assert list(battle.players) == ["ada"]


def test_a_full_battle_admits_nobody_more() -> None:
    battle = in_lobby(max_players=2)
    battle.admit("ada")
    battle.admit("grace")

    with pytest.raises(BattleFull, match="2 players"):
        battle.admit("linus")

    assert list(battle.players) == ["ada", "grace"]


def test_an_already_joined_player_of_a_full_battle_is_told_so_not_that_it_is_full() -> None:
    battle = in_lobby(max_players=1)
    battle.admit("ada")

    with pytest.raises(AlreadyJoined):
        battle.admit("ada")


# --- start, end, cancel -----------------------------------------------------------------------

def test_start_runs_the_battle_and_sets_its_end_from_the_duration() -> None:
    battle = in_lobby(duration_s=600)
    at = T0 + timedelta(minutes=1)

    battle.start(at=at, by=Admin("admin"))

    assert battle.status is BattleStatus.RUNNING
    assert battle.started_at == at
    assert battle.ends_at == at + timedelta(seconds=600)
    assert event_names(battle)[-1] == "Started"


@pytest.mark.parametrize("state", ["draft", "running", "ended", "cancelled"])
def test_start_is_refused_except_from_the_lobby(state: str) -> None:
    battle = STATES[state]()
    status = battle.status

    with pytest.raises(WrongBattleState, match=f"cannot start a battle that is {state}"):
        battle.start(at=T0, by=Admin("admin"))

    assert battle.status is status


def test_end_finishes_a_running_battle() -> None:
    battle = running("ada")
    at = T0 + timedelta(hours=1)

    battle.end(at=at, reason="time is up")

    assert battle.status is BattleStatus.ENDED
    assert battle.ended_at == at
    assert event_names(battle)[-1] == "Ended"


@pytest.mark.parametrize("state", ["draft", "lobby", "ended", "cancelled"])
def test_end_is_refused_except_while_running(state: str) -> None:
    battle = STATES[state]()
    status = battle.status

    with pytest.raises(WrongBattleState, match=f"cannot end a battle that is {state}"):
        battle.end(at=T0, reason="stop")

    assert battle.status is status


@pytest.mark.parametrize("state", ["draft", "lobby", "running"])
def test_cancel_is_allowed_before_the_battle_is_over(state: str) -> None:
    battle = STATES[state]()
    at = T0 + timedelta(minutes=30)

    battle.cancel(at=at, reason="server on fire")

    assert battle.status is BattleStatus.CANCELLED
    assert battle.ended_at == at
    assert event_names(battle)[-1] == "Cancelled"


@pytest.mark.parametrize("state", ["ended", "cancelled"])
def test_cancel_is_refused_once_the_battle_is_over(state: str) -> None:
    battle = STATES[state]()

    with pytest.raises(WrongBattleState, match=f"cannot cancel a battle that is {state}"):
        battle.cancel(at=T0, reason="again")

    assert battle.status.value == state


# --- submissions ------------------------------------------------------------------------------

def test_a_submission_for_an_attached_problem_in_an_allowed_language_is_accepted() -> None:
    battle = running("ada", languages=("python", "c"))

    battle.check_submission("ada", "sum", "c")  # does not raise


@pytest.mark.parametrize("state", ["draft", "lobby", "ended", "cancelled"])
def test_submissions_are_refused_unless_the_battle_runs(state: str) -> None:
    battle = STATES[state]()

    with pytest.raises(WrongBattleState, match=f"cannot submit to a battle that is {state}"):
        battle.check_submission("ada", "sum", "python")


def test_a_submission_for_a_problem_outside_the_battle_is_refused() -> None:
    battle = running("ada")

    with pytest.raises(ProblemNotInBattle, match="'max'"):
        battle.check_submission("ada", "max", "python")


def test_a_submission_in_a_language_the_battle_does_not_allow_is_refused() -> None:
    battle = running("ada", languages=("python", "c"))

    with pytest.raises(LanguageNotAllowed, match=r"'rust'.*python, c"):
        battle.check_submission("ada", "sum", "rust")


def test_every_refusal_is_a_domain_error_the_api_can_map() -> None:
    for error in (WrongBattleState, ProblemAlreadyAttached, ProblemNotInBattle, NoProblems,
                  AlreadyJoined, BattleFull, LanguageNotAllowed):
        assert issubclass(error, BattleError) and issubclass(error, DomainError)


def test_a_copy_shares_the_frozen_settings_but_not_the_mutable_state() -> None:
    battle = draft()
    copy = deepcopy(battle)
    copy.configure({"title": "changed"})

    assert copy.settings.title == "changed"
    assert (battle.settings.title, battle.version) != ("changed", copy.version)
    assert deepcopy(battle).settings is battle.settings


def test_a_submission_from_a_user_who_has_not_joined_is_refused() -> None:
    battle = running("ada")

    with pytest.raises(NotJoined, match="'grace'"):
        battle.check_submission("grace", "sum", "python")


def test_a_first_accept_is_worth_the_problems_points_while_the_battle_runs() -> None:
    battle = running("ada")

    assert battle.points_for("sum", battle.started_at + timedelta(minutes=5)) == battle.problems["sum"]["points"]


def test_a_submission_that_raced_the_end_scores_nothing() -> None:
    battle = running("ada")
    battle.end(at=battle.started_at + timedelta(minutes=10), reason="admin")

    assert battle.points_for("sum", battle.ended_at) == battle.problems["sum"]["points"]
    assert battle.points_for("sum", battle.ended_at + timedelta(microseconds=1)) == 0
