"""ArenaApplication on eventsourcing's in-memory event store: the verbs, their refusals, and
what they save (no database, no files)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from arena.application.battles import ProblemNotVerified
from arena.application import ArenaApplication, NotJoined
from arena.application.locks import Busy
from arena.domain.acting import Admin
from arena.domain.battle import (
    BattleFull,
    BattleStatus,
    LanguageNotAllowed,
    ProblemNotInBattle,
    WrongBattleState,
)
from arena.domain.errors import InvalidInput, NotFound
from arena.domain.room_player import PlayerState, RoomPlayer, room_player_id
from arena.domain.room_player_errors import UnknownSubmission
from arena.domain.settings import BattleSettings

T0 = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Info:
    slug: str
    sha256: str
    title: str
    points: int


class FakeCatalog:
    def __init__(self, *infos: Info) -> None:
        self.infos = {info.slug: info for info in infos}
        self.unverified: dict[str, str] = {}  # sha256 -> why its package may not be locked yet

    def info(self, slug: str) -> Info:
        try:
            return self.infos[slug]
        except KeyError:
            raise NotFound(f"no problem with slug {slug!r}") from None

    def lobby_blockers(self, hashes: dict[str, str]) -> list[str]:
        return [self.unverified[sha] for sha in hashes.values() if sha in self.unverified]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def app() -> ArenaApplication:
    catalog = FakeCatalog(Info("sum", "a" * 64, "Sum", 100), Info("max", "b" * 64, "Max", 300))
    return ArenaApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, problems=catalog,
                            languages=lambda: frozenset({"python", "c"}), clock=Clock())


def settings(**fields) -> BattleSettings:
    return BattleSettings(**{"title": "Friday battle", "languages": ("python", "c"), **fields})


def in_lobby(app: ArenaApplication, *players: str, **fields) -> UUID:
    battle_id = app.create_battle("admin", settings(**fields))
    app.attach_problem(battle_id, "sum", by=Admin("admin"))
    app.open_lobby(battle_id, by=Admin("admin"))
    for player in players:
        app.join(battle_id, player)
    return battle_id


def running(app: ArenaApplication, *players: str, **fields) -> UUID:
    battle_id = in_lobby(app, *players, **fields)
    app.start_battle(battle_id, by=Admin("admin"))
    return battle_id


def events_stored(app: ArenaApplication, of: str = "") -> list[str]:
    """Names of the events in the notification log, optionally only those of one aggregate class."""
    topics = [n.topic for n in app.recorder.select_notifications(start=1, limit=10_000)]
    return [topic.rsplit(".", 1)[-1] for topic in topics if topic.split(":")[-1].startswith(of)]


# --- battles ----------------------------------------------------------------------------------

def test_a_battle_goes_from_draft_to_ended_and_every_step_is_stored(app: ArenaApplication) -> None:
    battle_id = app.create_battle("admin", settings())
    app.configure_battle(battle_id, {"duration_s": 600}, by=Admin("admin"))
    app.attach_problem(battle_id, "sum", by=Admin("admin"))
    app.attach_problem(battle_id, "max", by=Admin("admin"))
    app.detach_problem(battle_id, "max", by=Admin("admin"))
    app.open_lobby(battle_id, by=Admin("admin"))
    app.join(battle_id, "ada")
    app.start_battle(battle_id, by=Admin("admin"))
    app.end_battle(battle_id, reason="time is up", by=Admin("admin"))

    battle = app.get_battle(battle_id)
    assert battle.status is BattleStatus.ENDED
    assert battle.settings.duration_s == 600
    assert battle.problems == {"sum": {"sha256": "a" * 64, "title": "Sum", "points": 100}}
    assert list(battle.players) == ["ada"]
    assert battle.version == 9
    assert events_stored(app, of="Battle.") == [
        "Created", "Configured", "ProblemAttached", "ProblemAttached", "ProblemDetached",
        "LobbyOpened", "PlayerAdmitted", "Started", "Ended"]


def test_the_application_clock_stamps_start_and_end(app: ArenaApplication) -> None:
    battle_id = running(app)
    started = app.get_battle(battle_id).started_at
    app.end_battle(battle_id, reason="done", by=Admin("admin"))

    battle = app.get_battle(battle_id)
    assert started > T0
    assert battle.ended_at > started


def test_a_battle_can_be_cancelled_while_running(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")

    app.cancel_battle(battle_id, reason="server on fire", by=Admin("admin"))

    assert app.get_battle(battle_id).status is BattleStatus.CANCELLED


def test_a_refused_command_stores_nothing(app: ArenaApplication) -> None:
    battle_id = in_lobby(app)
    stored = events_stored(app)

    with pytest.raises(WrongBattleState):
        app.configure_battle(battle_id, {"title": "Too late"}, by=Admin("admin"))
    with pytest.raises(WrongBattleState):
        app.end_battle(battle_id, reason="not running", by=Admin("admin"))

    assert events_stored(app) == stored


def test_a_lobby_with_a_problem_whose_package_is_not_verified_is_refused_naming_it(app: ArenaApplication) -> None:
    battle_id = app.create_battle("admin", settings())
    app.attach_problem(battle_id, "sum", by=Admin("admin"))
    app.problems.unverified["a" * 64] = "problem 'sum': its package's verification failed"

    with pytest.raises(ProblemNotVerified, match="problem 'sum'"):
        app.open_lobby(battle_id, by=Admin("admin"))
    assert app.get_battle(battle_id).status == "draft"

    del app.problems.unverified["a" * 64]
    app.open_lobby(battle_id, by=Admin("admin"))
    assert app.get_battle(battle_id).status == "lobby"


def test_an_unknown_language_in_new_settings_is_invalid_input(app: ArenaApplication) -> None:
    with pytest.raises(InvalidInput) as refused:
        app.create_battle("admin", settings(languages=("python", "cobol")))

    assert refused.value.field == "languages"
    assert "cobol" in str(refused.value)
    assert events_stored(app) == []


def test_an_unknown_language_in_changed_settings_is_invalid_input(app: ArenaApplication) -> None:
    battle_id = app.create_battle("admin", settings())

    with pytest.raises(InvalidInput) as refused:
        app.configure_battle(battle_id, {"languages": ["rust"]}, by=Admin("admin"))

    assert refused.value.field == "languages"
    assert app.get_battle(battle_id).settings.languages == ("python", "c")


def test_invalid_changed_settings_are_invalid_input(app: ArenaApplication) -> None:
    battle_id = app.create_battle("admin", settings())

    with pytest.raises(InvalidInput) as refused:
        app.configure_battle(battle_id, {"scoring": "elo"}, by=Admin("admin"))

    assert refused.value.field == "scoring"
    assert str(refused.value) == "scoring: Input should be 'icpc' or 'points'"


def test_attaching_a_problem_the_catalog_does_not_have_is_not_found(app: ArenaApplication) -> None:
    battle_id = app.create_battle("admin", settings())

    with pytest.raises(NotFound, match="'nope'"):
        app.attach_problem(battle_id, "nope", by=Admin("admin"))

    assert app.get_battle(battle_id).problems == {}


@pytest.mark.parametrize("command", [
    lambda app, battle_id: app.get_battle(battle_id),
    lambda app, battle_id: app.configure_battle(battle_id, {"title": "x"}, by=Admin("admin")),
    lambda app, battle_id: app.attach_problem(battle_id, "sum", by=Admin("admin")),
    lambda app, battle_id: app.detach_problem(battle_id, "sum", by=Admin("admin")),
    lambda app, battle_id: app.open_lobby(battle_id, by=Admin("admin")),
    lambda app, battle_id: app.join(battle_id, "ada"),
    lambda app, battle_id: app.start_battle(battle_id, by=Admin("admin")),
    lambda app, battle_id: app.end_battle(battle_id, reason="x", by=Admin("admin")),
    lambda app, battle_id: app.cancel_battle(battle_id, reason="x", by=Admin("admin")),
    lambda app, battle_id: app.room(battle_id),
    lambda app, battle_id: app.submit(battle_id, "ada", "sum", "python", "print(3)"),
])
def test_every_verb_on_an_unknown_battle_is_not_found(app: ArenaApplication, command) -> None:
    with pytest.raises(NotFound, match="no battle"):
        command(app, uuid4())


def test_a_room_player_id_is_not_a_battle_id(app: ArenaApplication) -> None:
    battle_id = in_lobby(app, "ada")

    with pytest.raises(NotFound, match="no battle"):
        app.get_battle(room_player_id(battle_id, "ada"))


# --- joining ----------------------------------------------------------------------------------

def test_join_admits_the_user_and_creates_their_room_player(app: ArenaApplication) -> None:
    battle_id = in_lobby(app)

    player_id = app.join(battle_id, "ada")

    assert player_id == room_player_id(battle_id, "ada")
    player = app.get_room_player(battle_id, "ada")
    assert (player.id, player.battle_id, player.user_id, player.state) == (
        player_id, battle_id, "ada", PlayerState.PRESENT)
    assert list(app.get_battle(battle_id).players) == ["ada"]


def test_join_saves_the_admission_and_the_room_player_together(app: ArenaApplication) -> None:
    battle_id = in_lobby(app)
    before = len(events_stored(app))

    app.join(battle_id, "ada")

    assert events_stored(app)[before:] == ["PlayerAdmitted", "Joined"]


def test_when_the_room_player_cannot_be_saved_the_admission_is_not_saved_either(app: ArenaApplication) -> None:
    battle_id = in_lobby(app)
    # A room player that already exists makes the join's save conflict.
    app.save(RoomPlayer(battle_id=battle_id, user_id="ada", at=T0))
    version = app.get_battle(battle_id).version

    with pytest.raises(Busy) as refused:  # every retry conflicts: the caller is told to retry later
        app.join(battle_id, "ada")
    assert isinstance(refused.value.__cause__, IntegrityError)

    battle = app.get_battle(battle_id)
    assert (battle.version, list(battle.players)) == (version, [])


def test_joining_twice_returns_the_same_id_and_stores_nothing_new(app: ArenaApplication) -> None:
    battle_id = in_lobby(app)
    first = app.join(battle_id, "ada")
    stored = events_stored(app)
    version = app.get_battle(battle_id).version

    second = app.join(battle_id, "ada")

    assert second == first
    assert events_stored(app) == stored
    assert app.get_battle(battle_id).version == version


def test_joining_a_full_battle_is_refused(app: ArenaApplication) -> None:
    battle_id = in_lobby(app, "ada", max_players=1)

    with pytest.raises(BattleFull):
        app.join(battle_id, "grace")

    with pytest.raises(NotFound):
        app.get_room_player(battle_id, "grace")


def test_joining_a_draft_battle_is_refused(app: ArenaApplication) -> None:
    battle_id = app.create_battle("admin", settings())

    with pytest.raises(WrongBattleState, match="draft"):
        app.join(battle_id, "ada")


def test_the_room_lists_everyone_in_joining_order(app: ArenaApplication) -> None:
    battle_id = running(app, "grace", "ada", "linus")

    assert [player.user_id for player in app.room(battle_id)] == ["grace", "ada", "linus"]


def test_a_user_who_never_joined_has_no_room_player(app: ArenaApplication) -> None:
    battle_id = in_lobby(app, "ada")

    with pytest.raises(NotFound):
        app.get_room_player(battle_id, "grace")


# --- submissions ------------------------------------------------------------------------------

def test_a_member_submits_to_a_running_battle(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")

    submission_id = app.submit(battle_id, "ada", "sum", "c", "int main(){}")

    UUID(submission_id)
    submission = app.get_room_player(battle_id, "ada").submissions[submission_id]
    assert (submission["problem"], submission["language"], submission["verdict"]) == ("sum", "c", None)
    assert events_stored(app)[-1] == "SubmissionReceived"


def test_a_submission_before_the_start_is_refused(app: ArenaApplication) -> None:
    battle_id = in_lobby(app, "ada")

    with pytest.raises(WrongBattleState, match="lobby"):
        app.submit(battle_id, "ada", "sum", "python", "print(3)")


def test_a_submission_after_the_end_is_refused(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")
    app.end_battle(battle_id, reason="done", by=Admin("admin"))

    with pytest.raises(WrongBattleState, match="ended"):
        app.submit(battle_id, "ada", "sum", "python", "print(3)")


def test_a_submission_from_a_user_who_did_not_join_is_refused(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")

    with pytest.raises(NotJoined, match="'grace'"):
        app.submit(battle_id, "grace", "sum", "python", "print(3)")


def test_a_submission_in_a_language_the_battle_does_not_allow_is_refused(app: ArenaApplication) -> None:
    battle_id = running(app, "ada", languages=("python",))

    with pytest.raises(LanguageNotAllowed):
        app.submit(battle_id, "ada", "sum", "c", "int main(){}")


def test_a_submission_for_a_problem_outside_the_battle_is_refused(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")

    with pytest.raises(ProblemNotInBattle):
        app.submit(battle_id, "ada", "max", "python", "print(3)")


@pytest.mark.parametrize("source", ["", "   \n\t"])
def test_an_empty_source_is_invalid_input(app: ArenaApplication, source: str) -> None:
    battle_id = running(app, "ada")

    with pytest.raises(InvalidInput) as refused:
        app.submit(battle_id, "ada", "sum", "python", source)

    assert refused.value.field == "source"
    assert app.get_room_player(battle_id, "ada").submissions == {}


# --- verdicts ---------------------------------------------------------------------------------

def test_an_accepted_verdict_gives_the_points_locked_in_the_battle(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")
    submission_id = app.submit(battle_id, "ada", "sum", "python", "print(3)")
    player_id = room_player_id(battle_id, "ada")

    assert app.record_verdict(player_id, submission_id, "AC", {"tests": 3}) is True

    player = app.get_room_player(battle_id, "ada")
    assert player.submissions[submission_id]["verdict"] == "AC"
    assert player.score == 100


def test_recording_a_verdict_twice_is_a_no_op(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")
    submission_id = app.submit(battle_id, "ada", "sum", "python", "print(3)")
    player_id = room_player_id(battle_id, "ada")
    app.record_verdict(player_id, submission_id, "AC", {})
    stored = events_stored(app)

    assert app.record_verdict(player_id, submission_id, "AC", {}) is False
    assert app.record_verdict(player_id, submission_id, "WA", {}) is False

    assert events_stored(app) == stored
    assert app.get_room_player(battle_id, "ada").submissions[submission_id]["verdict"] == "AC"


def test_a_verdict_for_an_unknown_submission_is_refused(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")

    with pytest.raises(UnknownSubmission):
        app.record_verdict(room_player_id(battle_id, "ada"), str(uuid4()), "AC", {})


def test_a_verdict_for_an_unknown_room_player_is_not_found(app: ArenaApplication) -> None:
    with pytest.raises(NotFound, match="no room player"):
        app.record_verdict(uuid4(), str(uuid4()), "AC", {})


def test_a_battle_id_is_not_a_room_player_id(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")

    with pytest.raises(NotFound, match="no room player"):
        app.record_verdict(battle_id, str(uuid4()), "AC", {})


def test_a_submission_that_raced_the_end_is_judged_but_scores_nothing(app: ArenaApplication) -> None:
    # A PRESENT player cannot race the end: ending completes her in the same append, so a racing
    # submit conflicts and is retried on the ended battle. A DISCONNECTED one is not completed.
    battle_id = running(app, "ada", "bob")
    in_time = app.submit(battle_id, "bob", "sum", "python", "print(3)")
    app.disconnect(battle_id, "ada")
    ada = app.get_room_player(battle_id, "ada")  # ada's submit loaded the battle while it ran...
    app.end_battle(battle_id, reason="time is up", by=Admin("admin"))  # ...and the end was saved before hers
    late_at = app.get_battle(battle_id).ended_at + timedelta(milliseconds=5)
    ada.submit("late", "sum", "a" * 64, "python", "print(3)", "c" * 64, late_at)
    app.save(ada)

    assert app.record_verdict(ada.id, "late", "AC", {}) is True
    assert app.record_verdict(room_player_id(battle_id, "bob"), in_time, "AC", {}) is True
    assert app.get_room_player(battle_id, "ada").score == 0
    assert app.get_room_player(battle_id, "bob").score == 100
