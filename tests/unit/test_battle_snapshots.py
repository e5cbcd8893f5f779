"""A battle is snapshotted every 2,000 events, from the object just saved, and a cold load from
the snapshot equals the battle as it was saved (settings and status restored as themselves)."""

from __future__ import annotations

from arena.domain.acting import Admin
from arena.domain.battle import BattleStatus
from arena.domain.settings import BattleSettings
from test_application_in_memory import FakeCatalog, Info
from arena.application import ArenaApplication


def test_a_battle_is_snapshotted_every_2000_events_and_loads_cold_from_the_snapshot() -> None:
    app = ArenaApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"},
                           problems=FakeCatalog(Info("sum", "a" * 64, "Sum", 100)))
    battle_id = app.create_battle("admin", BattleSettings(title="big", max_players=10_000, season="s1"))
    app.attach_problem(battle_id, "sum", by=Admin("admin"))
    app.open_lobby(battle_id, by=Admin("admin"))
    for number in range(4_100):
        app.join(battle_id, f"user-{number}")

    assert [s.originator_version for s in app.snapshots.get(battle_id)] == [2000, 4000]
    live = app.get_battle(battle_id)
    app.repository.cache = None  # a process that never saw it
    cold = app.repository.get(battle_id)
    assert (cold.version, list(cold.players), cold.settings, cold.status) == (
        live.version, list(live.players), live.settings, BattleStatus.LOBBY)
    assert isinstance(cold.settings, BattleSettings)
