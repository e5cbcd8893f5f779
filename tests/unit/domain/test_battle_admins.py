"""Who may run a battle's admin commands (finding 9): its owner, its co-admins, a superadmin,
and the system; anyone else is NotOwner (the API's 403)."""

from __future__ import annotations

import pytest

from arena.domain.acting import SYSTEM, Admin
from arena.domain.battle import Battle, NotOwner
from arena.domain.errors import NotAllowed
from test_battle import T0, draft, in_lobby


def test_the_owner_a_superadmin_and_the_system_may_run_a_battle() -> None:
    battle = draft()

    battle.check_admin("admin")
    battle.check_admin("root", is_superadmin=True)
    battle.check_actor(SYSTEM)


def test_another_admin_is_not_the_owner() -> None:
    with pytest.raises(NotOwner, match="not the owner of this battle") as refused:
        draft().check_actor(Admin("mallory"))
    assert isinstance(refused.value, NotAllowed)


def test_a_co_admin_may_run_the_battle_but_not_add_co_admins() -> None:
    battle = draft()
    battle.add_co_admin("grace", by=Admin("admin"))

    battle.check_actor(Admin("grace"))
    with pytest.raises(NotOwner):
        battle.add_co_admin("mallory", by=Admin("grace"))
    battle.add_co_admin("linus", by=Admin("root", superadmin=True))
    assert battle.co_admins == ["grace", "linus"]


def test_adding_a_co_admin_again_or_the_owner_changes_nothing() -> None:
    battle = draft()
    battle.add_co_admin("grace", by=Admin("admin"))
    version = battle.version

    battle.add_co_admin("grace", by=Admin("admin"))
    battle.add_co_admin("admin", by=Admin("admin"))

    assert battle.version == version


def test_co_admins_survive_a_rebuild_from_the_events() -> None:
    battle = draft()
    battle.add_co_admin("grace", by=Admin("admin"))
    events = battle.collect_events()

    rebuilt = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert isinstance(rebuilt, Battle) and rebuilt.co_admins == ["grace"]


def test_a_battle_started_by_the_system_records_no_user() -> None:
    battle = in_lobby()
    battle.start(at=T0, by=SYSTEM)

    assert battle.collect_events()[-1].by is None


def test_players_see_a_battle_once_it_leaves_the_draft() -> None:
    assert not draft().shown_to_players
    assert in_lobby().shown_to_players
