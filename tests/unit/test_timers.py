"""Timer rules without I/O: which events schedule what, and firing is idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from arena.application import ArenaApplication
from arena.bus.envelope import EventEnvelope
from arena.domain.acting import Admin
from arena.domain.battle import BattleStatus
from arena.domain.room_player import PlayerState
from arena.domain.settings import BattleSettings
from arena.handlers.timers import TimerCommand, fire, timers_for

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


@dataclass
class Info:
    slug: str
    sha256: str = "0" * 64
    title: str = "Echo"
    points: int = 100


class Catalog:
    def info(self, slug: str) -> Info:
        return Info(slug)

    def lobby_blockers(self, hashes: dict[str, str]) -> list[str]:
        return []


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def make_app(clock: Clock) -> ArenaApplication:
    return ArenaApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}, problems=Catalog(),
                            languages=lambda: frozenset({"python"}), clock=clock)


def envelope(routing: str, **data) -> EventEnvelope:
    aggregate, event = {"room_player.disconnected": ("room_player:RoomPlayer", "Disconnected"),
                        "battle.scheduled": ("battle:Battle", "Scheduled"),
                        "battle.started": ("battle:Battle", "Started"),
                        "battle.extended": ("battle:Battle", "Extended"),
                        "battle.ended": ("battle:Battle", "Ended")}[routing]
    return EventEnvelope(topic=f"arena.domain.{aggregate}.{event}", originator_id=uuid4(),
                         originator_version=2, timestamp=T0, data=data)


def test_a_disconnect_schedules_a_leave_check_after_the_grace_period() -> None:
    [timer] = timers_for(envelope("room_player.disconnected", at=T0), timedelta(minutes=5))
    assert (timer.kind, timer.due_at, timer.disconnected_at) == ("mark_left", T0 + timedelta(minutes=5), T0)


def test_a_scheduled_battle_gets_a_start_timer_and_a_started_one_an_end_timer() -> None:
    [start] = timers_for(envelope("battle.scheduled", start_at=T0), timedelta(minutes=5))
    [end] = timers_for(envelope("battle.started", at=T0, by="x", ends_at=T0 + timedelta(hours=1)),
                       timedelta(minutes=5))
    assert (start.kind, start.due_at) == ("start_if_due", T0)
    assert (end.kind, end.due_at) == ("end_if_due", T0 + timedelta(hours=1))


def test_an_extension_schedules_an_end_timer_at_the_new_end() -> None:
    new_end = T0 + timedelta(hours=2)
    [end] = timers_for(envelope("battle.extended", seconds=3600, ends_at=new_end, at=T0, by="x"),
                       timedelta(minutes=5))
    assert (end.kind, end.due_at) == ("end_if_due", new_end)


def test_the_old_end_timer_of_an_extended_battle_does_nothing_and_the_new_one_ends_it() -> None:
    clock = Clock()
    app = make_app(clock)
    battle_id = app.create_battle("admin", BattleSettings(title="t", duration_s=600))
    app.attach_problem(battle_id, "echo", by=Admin("admin"))
    app.open_lobby(battle_id, by=Admin("admin"))
    app.start_battle(battle_id, by=Admin("admin"))
    app.extend_battle(battle_id, 300, by=Admin("admin"))
    old = TimerCommand(kind="end_if_due", target=battle_id, due_at=T0 + timedelta(seconds=600))
    new = TimerCommand(kind="end_if_due", target=battle_id, due_at=T0 + timedelta(seconds=900))

    clock.now = old.due_at
    fire(old, app, now=clock.now)
    assert app.get_battle(battle_id).status is BattleStatus.RUNNING
    clock.now = new.due_at
    fire(new, app, now=clock.now)
    assert app.get_battle(battle_id).status is BattleStatus.ENDED


def test_other_events_schedule_nothing() -> None:
    assert timers_for(envelope("battle.ended", at=T0, reason=""), timedelta(minutes=5)) == []


def test_a_timer_that_fires_early_asks_to_wait_for_the_rest() -> None:
    clock = Clock()
    command = TimerCommand(kind="end_if_due", target=uuid4(), due_at=T0 + timedelta(seconds=90))
    assert fire(command, make_app(clock), now=T0) == timedelta(seconds=90)


def test_the_leave_timer_marks_left_once_and_ignores_a_player_who_came_back() -> None:
    clock = Clock()
    app = make_app(clock)
    battle_id = app.create_battle("admin", BattleSettings(title="t"))
    app.attach_problem(battle_id, "echo", by=Admin("admin"))
    app.open_lobby(battle_id, by=Admin("admin"))
    player_id = app.join(battle_id, "ada")
    app.disconnect(battle_id, "ada")
    first_disconnect = app.get_room_player(battle_id, "ada").disconnected_at
    stale = TimerCommand(kind="mark_left", target=player_id, due_at=T0, disconnected_at=first_disconnect)

    clock.now = T0 + timedelta(seconds=10)
    app.reconnect(battle_id, "ada")
    app.disconnect(battle_id, "ada")  # a new disconnect: the old timer is not about this one
    assert fire(stale, app, now=clock.now) is None
    assert app.get_room_player(battle_id, "ada").state is PlayerState.DISCONNECTED

    current = stale.model_copy(update={"disconnected_at": clock.now})
    fire(current, app, now=clock.now)
    version = app.get_room_player(battle_id, "ada").version
    fire(current, app, now=clock.now)  # delivered twice: no second event
    player = app.get_room_player(battle_id, "ada")
    assert (player.state, player.version) == (PlayerState.LEFT, version)


def test_start_and_end_timers_are_no_ops_unless_due() -> None:
    clock = Clock()
    app = make_app(clock)
    battle_id = app.create_battle("admin", BattleSettings(title="t", start_at=T0 + timedelta(minutes=1),
                                                          duration_s=600))
    app.attach_problem(battle_id, "echo", by=Admin("admin"))
    app.open_lobby(battle_id, by=Admin("admin"))
    assert app.start_battle_if_due(battle_id) is False
    clock.now = T0 + timedelta(minutes=1)
    assert app.start_battle_if_due(battle_id) is True
    assert app.start_battle_if_due(battle_id) is False
    assert app.end_battle_if_due(battle_id) is False
    clock.now += timedelta(seconds=600)
    assert app.end_battle_if_due(battle_id) is True
    assert app.get_battle(battle_id).status is BattleStatus.ENDED


def test_a_settlement_that_waits_for_verdicts_is_looked_at_again_soon_and_at_the_end_of_the_wait() -> None:
    battle_id = uuid4()
    data = {"battle_id": battle_id, "ended_at": T0, "wait_until": T0 + timedelta(minutes=10), "awaiting": ["s1"]}
    opened = EventEnvelope(topic="arena.domain.settlement:Settlement.Opened", originator_id=uuid4(),
                           originator_version=1, timestamp=T0, data=data)
    timers = timers_for(opened, timedelta(minutes=5))
    assert [(t.kind, t.target, t.due_at) for t in timers] == [
        ("settle_if_due", battle_id, T0 + timedelta(seconds=10)),
        ("settle_if_due", battle_id, T0 + timedelta(minutes=10))]
    nothing_awaited = opened.model_copy(update={"data": {**data, "awaiting": []}})
    assert timers_for(nothing_awaited, timedelta(minutes=5)) == []
