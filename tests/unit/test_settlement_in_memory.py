"""The settlement verbs on eventsourcing's in-memory store: exactly once, waiting for verdicts,
revisions on late verdicts, never for a cancelled battle (no database, no files)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID

import pytest

from arena.application import ArenaApplication
from arena.domain.acting import Admin
from arena.domain.room_player import room_player_id
from arena.domain.settlement import SettlementStatus, settlement_id
from arena.domain.settings import BattleSettings
from test_application_in_memory import Clock as SteppingClock
from test_application_in_memory import FakeCatalog, Info


ADMIN = Admin("admin")


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
def app(clock: SteppingClock) -> ArenaApplication:
    catalog = FakeCatalog(Info("sum", "a" * 64, "Sum", 100), Info("max", "b" * 64, "Max", 300))
    return ArenaApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, problems=catalog,
                            languages=lambda: frozenset({"python"}), clock=clock,
                            settle_wait=timedelta(minutes=10))


def running(app: ArenaApplication, *players: str, **fields) -> UUID:
    battle_id = app.create_battle("admin", BattleSettings(title="Friday", **fields))
    app.attach_problem(battle_id, "sum", by=Admin("admin"))
    app.attach_problem(battle_id, "max", by=Admin("admin"))
    app.open_lobby(battle_id, by=Admin("admin"))
    for player in players:
        app.join(battle_id, player)
    app.start_battle(battle_id, by=Admin("admin"))
    return battle_id


def judged(app: ArenaApplication, battle_id: UUID, user: str, problem: str, verdict: str) -> str:
    submission = app.submit(battle_id, user, problem, "python", "print(1)")
    app.record_verdict(room_player_id(battle_id, user), submission, verdict, {})
    return submission


def settlement_events(app: ArenaApplication) -> list[str]:
    topics = [n.topic for n in app.recorder.select_notifications(start=1, limit=10_000)]
    return [t.rsplit(".", 1)[-1] for t in topics if ":Settlement." in t]


def test_an_ended_battle_settles_once_however_often_the_end_is_delivered(app: ArenaApplication) -> None:
    battle_id = running(app, "ada", "bob")
    judged(app, battle_id, "ada", "sum", "AC")
    judged(app, battle_id, "bob", "sum", "WA")
    app.end_battle(battle_id, reason="time is up", by=Admin("admin"))

    for _ in range(3):
        assert app.settle(battle_id) == settlement_id(battle_id)

    settlement = app.get_settlement(battle_id)
    assert settlement_events(app) == ["Opened", "Settled"]
    assert settlement.revision == 1 and settlement.status is SettlementStatus.SETTLED
    assert settlement.standings.by_user() == {"ada": (1, 100), "bob": (2, 0)}
    assert settlement.season == "2026-Q4"


def test_a_running_or_cancelled_battle_is_never_settled(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")
    assert app.settle(battle_id) is None
    app.cancel_battle(battle_id, reason="fire", by=Admin("admin"))
    assert app.settle(battle_id) is None
    assert settlement_events(app) == []


def test_a_battle_with_no_players_settles_to_empty_standings(app: ArenaApplication) -> None:
    battle_id = running(app)
    app.end_battle(battle_id, reason="done", by=Admin("admin"))
    app.settle(battle_id)
    assert app.get_settlement(battle_id).standings.users == ()


def test_the_settlement_waits_for_verdicts_of_submissions_received_before_the_end(
        app: ArenaApplication) -> None:
    battle_id = running(app, "ada", "bob")
    pending = app.submit(battle_id, "ada", "max", "python", "print(1)")
    judged(app, battle_id, "bob", "sum", "AC")
    app.end_battle(battle_id, reason="done", by=Admin("admin"))

    app.settle(battle_id)
    settlement = app.get_settlement(battle_id)
    assert settlement.status is SettlementStatus.PENDING and settlement.awaiting == {pending}

    app.record_verdict(room_player_id(battle_id, "ada"), pending, "AC", {})
    submission = app.get_room_player(battle_id, "ada").submissions[pending]
    app.verdict_arrived(battle_id, pending, submission["received_at"], submission["judged_at"])

    settlement = app.get_settlement(battle_id)
    assert settlement.status is SettlementStatus.SETTLED and settlement.revision == 1
    assert settlement.standings.by_user() == {"ada": (1, 300), "bob": (2, 100)}
    assert settlement.missing == []


def test_after_the_wait_missing_verdicts_count_as_not_solved_and_are_listed(
        app: ArenaApplication, clock: SteppingClock) -> None:
    battle_id = running(app, "ada", "bob")
    pending = app.submit(battle_id, "ada", "max", "python", "print(1)")
    judged(app, battle_id, "bob", "sum", "AC")
    app.end_battle(battle_id, reason="done", by=Admin("admin"))
    app.settle(battle_id)

    clock.now += timedelta(minutes=11)
    app.settle(battle_id)  # the timer at wait_until

    settlement = app.get_settlement(battle_id)
    assert settlement.revision == 1 and settlement.missing == [pending]
    assert settlement.standings.by_user() == {"bob": (1, 100), "ada": (2, 0)}


def test_a_verdict_after_settling_makes_a_revision_whose_rows_are_the_differences(
        app: ArenaApplication, clock: SteppingClock) -> None:
    battle_id = running(app, "ada", "bob")
    late = app.submit(battle_id, "ada", "max", "python", "print(1)")
    judged(app, battle_id, "bob", "sum", "AC")
    app.end_battle(battle_id, reason="done", by=Admin("admin"))
    clock.now += timedelta(minutes=11)
    app.settle(battle_id)
    first = app.get_settlement(battle_id)

    app.record_verdict(room_player_id(battle_id, "ada"), late, "AC", {})
    submission = app.get_room_player(battle_id, "ada").submissions[late]
    app.verdict_arrived(battle_id, late, submission["received_at"], submission["judged_at"])
    app.verdict_arrived(battle_id, late, submission["received_at"], submission["judged_at"])  # twice: one revision

    second = app.get_settlement(battle_id)
    assert second.revision == 2 and second.result_hash != first.result_hash
    assert settlement_events(app) == ["Opened", "Settled", "Settled"]
    stored = [n for n in app.recorder.select_notifications(start=1, limit=10_000) if n.topic.endswith("Settled")]
    changes = app.mapper.to_domain_event(stored[-1]).changes
    assert dict(zip(changes["users"], zip(changes["ranks"], changes["points"]))) == {
        "ada": (-1, 300), "bob": (1, 0)}


def test_a_verdict_for_a_submission_that_raced_the_end_changes_nothing(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")
    app.end_battle(battle_id, reason="done", by=Admin("admin"))
    app.settle(battle_id)
    later = datetime(2100, 1, 1, tzinfo=timezone.utc)
    assert app.verdict_arrived(battle_id, "s-late", later, later) is None
    assert settlement_events(app) == ["Opened", "Settled"]


def test_the_ledger_confirms_each_revision_once_and_a_failure_is_recorded(app: ArenaApplication) -> None:
    battle_id = running(app, "ada")
    app.end_battle(battle_id, reason="done", by=Admin("admin"))
    app.settle(battle_id)
    sid = settlement_id(battle_id)

    assert app.report_settlement_failure(sid, 1, "database went away")
    assert app.get_settlement(battle_id).status is SettlementStatus.FAILED
    assert app.confirm_settlement_applied(sid, 1)
    assert not app.confirm_settlement_applied(sid, 1)
    assert not app.report_settlement_failure(sid, 1, "too late")
    assert app.get_settlement(battle_id).status is SettlementStatus.APPLIED
    assert settlement_events(app) == ["Opened", "Settled", "Failed", "Applied"]


def test_a_battle_setting_names_the_season(app: ArenaApplication) -> None:
    battle_id = running(app, "ada", season="spring-cup")
    app.end_battle(battle_id, reason="done", by=Admin("admin"))
    app.settle(battle_id)
    assert app.get_settlement(battle_id).season == "spring-cup"


def test_verdicts_judged_before_the_end_never_make_the_settlement_recompute(app: ArenaApplication) -> None:
    battle_id = running(app, "ada", "bob")
    submission = judged(app, battle_id, "ada", "sum", "AC")
    app.end_battle(battle_id, reason="done", by=ADMIN)
    app.settle(battle_id)
    calls: list[object] = []
    app.facts_of = lambda battle: calls.append(battle)  # a recompute would call it
    judged_at = app.get_room_player(battle_id, "ada").submissions[submission]["judged_at"]
    received_at = app.get_room_player(battle_id, "ada").submissions[submission]["received_at"]

    assert app.verdict_arrived(battle_id, submission, received_at, judged_at) is None
    assert calls == []


def test_a_verdict_that_found_no_settlement_yet_is_picked_up_by_the_recheck(
        app: ArenaApplication, clock: SteppingClock) -> None:
    battle_id = running(app, "ada", "bob")
    pending = app.submit(battle_id, "ada", "max", "python", "print(1)")
    app.end_battle(battle_id, reason="done", by=ADMIN)
    app.settle(battle_id)  # opened, waiting for `pending`
    app.record_verdict(room_player_id(battle_id, "ada"), pending, "AC", {})  # its arrival is lost

    app.settle(battle_id)  # the re-check timer

    settlement = app.get_settlement(battle_id)
    assert settlement.status is SettlementStatus.SETTLED and settlement.missing == []
    assert settlement.standings.by_user()["ada"] == (1, 300)
