"""Copies of aggregates share what cannot change and own everything that can."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timedelta, timezone
from uuid import UUID

from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.domain.settings import BattleSettings

T0 = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


def test_a_copied_battle_changes_without_touching_the_original() -> None:
    battle = Battle.draft("admin", BattleSettings(title="t", max_players=3), T0)
    battle.attach_problem(slug="sum", sha256="0" * 64, title="Sum", points=100)
    battle.open_lobby()
    battle.admit("ada")
    battle.collect_events()

    copy = deepcopy(battle)
    copy.admit("grace")
    copy.problems["sum"]["points"] = 1  # not a domain move: proves the nested dict is its own

    assert (list(battle.players), battle.problems["sum"]["points"], battle.version) == (["ada"], 100, 4)
    assert (list(copy.players), copy.version) == (["ada", "grace"], 5)
    assert battle.collect_events() == [] and len(copy.collect_events()) == 1
    assert copy.id == battle.id and copy.created_at is battle.created_at  # immutable: shared


def test_a_copied_room_player_keeps_its_own_submissions() -> None:
    player = RoomPlayer(battle_id=UUID(int=1), user_id="ada", at=T0)
    player.collect_events()
    copy = deepcopy(player)
    copy.submit(submission_id="s1", problem="sum", problem_sha256="0" * 64, language="c",
                source="int main(){}", source_sha256="1" * 64, received_at=T0 + timedelta(seconds=1))

    assert player.submissions == {} and list(copy.submissions) == ["s1"]
    assert player.version + 1 == copy.version


def test_a_battles_player_ids_are_copied_not_shared() -> None:
    from copy import deepcopy
    from datetime import datetime, timezone

    from arena.domain.battle import Battle
    from arena.domain.settings import BattleSettings

    battle = Battle.draft("admin", BattleSettings(title="t", max_players=100_000), datetime.now(timezone.utc))
    battle.players.update(dict.fromkeys(f"user-{i}" for i in range(50_000)))
    copy = deepcopy(battle)
    copy.players["newcomer"] = None
    assert "newcomer" not in battle.players and len(copy.players) == 50_001


def test_a_players_submissions_are_copied_two_levels_deep() -> None:
    from copy import deepcopy
    from datetime import datetime, timezone
    from uuid import uuid4

    from arena.domain.room_player import RoomPlayer

    at = datetime.now(timezone.utc)
    player = RoomPlayer(battle_id=uuid4(), user_id="ada", at=at)
    player.submit("s1", "sum", "a" * 64, "python", "print(1)", "b" * 64, at)
    copy = deepcopy(player)
    copy.record_verdict("s1", "AC", at, {}, 100)
    assert player.submissions["s1"]["verdict"] is None and player.solved == {}
    assert copy.submissions["s1"]["verdict"] == "AC" and copy.solved == {"sum": 100}
