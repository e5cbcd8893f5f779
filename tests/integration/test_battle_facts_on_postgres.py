"""The settlement's bulk reader of the event store gives the same facts as the room players'
aggregates: judged attempts, submissions still awaiting a verdict, nothing raced the end."""

from __future__ import annotations

import uuid

from arena.bootstrap import Arena
from arena.domain.acting import Admin
from arena.domain.room_player import RoomPlayer, room_player_id
from arena.domain.settings import BattleSettings
from arena.domain.standings import facts_of_players
from arena.projections.battle_facts import BattleFactsReader

ADMIN = Admin("admin")


def test_the_bulk_reader_and_the_aggregates_give_the_same_facts(arena: Arena) -> None:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    arena.problems.upload(f"---\ntitle: t\nslug: {slug}\ntests:\n  - input: '1'\n    output: '1'\n---\nX.\n".encode())
    app = arena.app
    battle_id = app.create_battle("admin", BattleSettings(title="t"))
    app.attach_problem(battle_id, slug, by=ADMIN)
    app.open_lobby(battle_id, by=ADMIN)
    for user in ("ada", "bob", "cy", "dee"):
        app.join(battle_id, user)
    app.start_battle(battle_id, by=ADMIN)
    judged = app.submit(battle_id, "ada", slug, "python", "print('a' * 100000)")  # a big source stays home
    app.record_verdict(room_player_id(battle_id, "ada"), judged, "WA", {"tests": [{"ms": 1}] * 50})
    app.record_verdict(room_player_id(battle_id, "ada"), app.submit(battle_id, "ada", slug, "python", "1"), "AC", {})
    awaiting = app.submit(battle_id, "bob", slug, "python", "print(2)")
    app.record_verdict(room_player_id(battle_id, "cy"), app.submit(battle_id, "cy", slug, "python", "3"), "TLE", {})
    still = app.submit(battle_id, "cy", slug, "python", "print(4)")
    app.end_battle(battle_id, reason="done", by=ADMIN)

    battle = app.get_battle(battle_id)
    players = [app.repository.get(room_player_id(battle_id, u)) for u in battle.players]
    assert all(isinstance(p, RoomPlayer) for p in players)
    expected = facts_of_players(battle.ended_at, list(battle.players), players)
    found = BattleFactsReader(arena.engine)(battle)

    assert found.users == tuple(expected.users)
    assert sorted(found.attempts, key=lambda a: a.submission_id) == sorted(expected.attempts, key=lambda a: a.submission_id)
    assert sorted(found.awaiting) == sorted(expected.awaiting) == sorted([awaiting, still])
