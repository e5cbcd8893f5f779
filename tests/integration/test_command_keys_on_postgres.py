"""Commands run under an Idempotency-Key on the real PostgreSQL: the answer is appended with the
events, and running the keyed command again answers what was kept instead of doing it twice."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from arena.application.command_keys import CommandKey, KeyUsedForAnotherRequest, running_key
from arena.bootstrap import Arena
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.projections.battles import list_battles


@contextmanager
def keyed(principal: str, key: str, request_hash: str = "h", may_be_kept: bool = False):
    token = running_key.set(CommandKey(principal, key, request_hash, may_be_kept=may_be_kept))
    try:
        yield
    finally:
        running_key.reset(token)


def running_battle(arena: Arena, *players: str) -> uuid.UUID:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    arena.problems.upload(f"---\ntitle: {slug}\nslug: {slug}\npoints: 100\n"
                          "samples:\n  - {input: '1 2', output: '3'}\n---\nAdd.\n".encode())
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t"))
    arena.app.attach_problem(battle_id, slug, by=Admin("admin"))
    arena.app.open_lobby(battle_id, by=Admin("admin"))
    for player in players:
        arena.app.join(battle_id, player)
    arena.app.start_battle(battle_id, by=Admin("admin"))
    return battle_id


def kept_rows(arena: Arena, principal: str) -> list[tuple[str, str]]:
    with arena.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            text("SELECT key, answer FROM arena_command_keys WHERE principal = :p ORDER BY key"), {"p": principal})]


@pytest.mark.parametrize("may_be_kept", [True, False], ids=["key taken over", "key claimed afresh"])
def test_a_keyed_submission_run_again_answers_the_kept_id_and_is_stored_once(arena: Arena, may_be_kept: bool) -> None:
    player = f"ada-{uuid.uuid4().hex[:6]}"
    battle_id = running_battle(arena, player)
    slug = next(iter(arena.app.get_battle(battle_id).problems))
    key = f"key-{uuid.uuid4().hex}"

    with keyed(player, key):
        first = arena.app.submit(battle_id, player, slug, "python", "print(3)")
    # The answer never reached the client; its retry runs the command again under the same key.
    with keyed(player, key, may_be_kept=may_be_kept):
        again = arena.app.submit(battle_id, player, slug, "python", "print(3)")

    assert again == first
    assert list(arena.app.get_room_player(battle_id, player).submissions) == [first]
    assert kept_rows(arena, player) == [(key, f'"{first}"')]


def test_a_battle_created_twice_under_one_key_is_created_once_and_answers_its_uuid(arena: Arena) -> None:
    key, title = f"key-{uuid.uuid4().hex}", f"once-{uuid.uuid4().hex[:8]}"
    with keyed("root", key):
        first = arena.app.create_battle("root", BattleSettings(title=title))
    with keyed("root", key):
        again = arena.app.create_battle("root", BattleSettings(title=title))
    with keyed("root", key, may_be_kept=True):
        taken_over = arena.app.create_battle("root", BattleSettings(title=title))

    assert again == taken_over == first and isinstance(again, uuid.UUID)
    assert [row["id"] for row in list_battles(arena.engine, limit=1000) if row["title"] == title] == [str(first)]


def test_a_kept_key_refuses_another_request(arena: Arena) -> None:
    key = f"key-{uuid.uuid4().hex}"
    with keyed("root", key, request_hash="first"):
        arena.app.create_battle("root", BattleSettings(title="first"))
    with keyed("root", key, request_hash="second", may_be_kept=True), pytest.raises(KeyUsedForAnotherRequest):
        arena.app.create_battle("root", BattleSettings(title="second"))


def test_a_command_nested_in_a_keyed_one_or_run_after_it_keeps_no_key(arena: Arena) -> None:
    player = f"ada-{uuid.uuid4().hex[:6]}"
    battle_id = running_battle(arena, player)
    slug = next(iter(arena.app.get_battle(battle_id).problems))
    key = f"key-{uuid.uuid4().hex}"
    with keyed(player, key):
        one = arena.app.submit(battle_id, player, slug, "python", "print(3)")
        two = arena.app.submit(battle_id, player, slug, "python", "print(4)")  # the request's second command
    assert one != two
    assert kept_rows(arena, player) == [(key, f'"{one}"')]
