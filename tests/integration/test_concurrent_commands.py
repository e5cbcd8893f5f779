"""Finding 4: bursts of commands on ONE aggregate in one process (a player submitting from many
tabs, a crowd joining one battle) queue instead of thrashing: no 500s, nothing stored twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from arena.application.locks import Busy
from arena.bootstrap import Arena
from arena.domain.errors import DomainError
from arena.domain.room_player import RoomPlayer, room_player_id
from test_application_on_postgres import running_battle

TABS = 32


def burst(calls: list[Callable[[], Any]], readers: Callable[[], Any] | None = None) -> list[tuple[str, Any]]:
    """Runs the calls together (a barrier starts them) while readers read the same aggregates;
    each outcome is ("ok", result), ("refused", DomainError) or ("busy", Busy). Anything else
    (IntegrityError, RuntimeError from a copy racing a change) escapes and fails the test."""
    start, done = threading.Barrier(len(calls)), threading.Event()

    def call(function: Callable[[], Any]) -> tuple[str, Any]:
        start.wait()
        try:
            return "ok", function()
        except Busy as exc:
            return "busy", exc
        except DomainError as exc:
            return "refused", exc

    def read() -> int:
        count = 0
        while not done.is_set():
            readers()
            count += 1
        return count

    with ThreadPoolExecutor(max_workers=len(calls) + 2) as pool:
        reading = [pool.submit(read) for _ in range(2)] if readers else []
        try:
            outcomes = list(pool.map(call, calls))
        finally:
            done.set()
        for reader in reading:
            reader.result()
    return outcomes


def submissions_stored(arena: Arena, battle_id, user: str) -> list[str]:
    """The ids of every SubmissionReceived event of this player, from the event store."""
    events = arena.app.events.get(room_player_id(battle_id, user))
    return [event.submission_id for event in events if isinstance(event, RoomPlayer.SubmissionReceived)]


def test_finding_4_many_tabs_submitting_for_one_player_never_fail_with_500(arena: Arena) -> None:
    battle_id = running_battle(arena, "ada")
    slug = next(iter(arena.app.get_battle(battle_id).problems))

    outcomes = burst([lambda i=i: arena.app.submit(battle_id, "ada", slug, "python", f"print({i})")
                      for i in range(TABS)],
                     readers=lambda: arena.app.get_room_player(battle_id, "ada"))

    accepted = [result for outcome, result in outcomes if outcome == "ok"]
    assert len(accepted) == TABS, outcomes  # one process: the tabs queue, none is turned away
    stored = submissions_stored(arena, battle_id, "ada")
    assert sorted(stored) == sorted(accepted)  # each exactly once
    assert sorted(arena.app.get_room_player(battle_id, "ada").submissions) == sorted(accepted)


def test_finding_4_a_crowd_joining_and_submitting_in_one_battle_never_fails_with_500(arena: Arena) -> None:
    players = [f"player-{i}" for i in range(TABS)]
    battle_id = running_battle(arena, max_players=TABS)
    slug = next(iter(arena.app.get_battle(battle_id).problems))

    joined = burst([lambda user=user: arena.app.join(battle_id, user) for user in players],
                   readers=lambda: arena.app.get_battle(battle_id))
    submitted = burst([lambda user=user: arena.app.submit(battle_id, user, slug, "python", "print(1)")
                       for user in players],
                      readers=lambda: arena.app.get_battle(battle_id))

    assert [outcome for outcome, _ in joined + submitted] == ["ok"] * (2 * TABS), joined + submitted
    assert sorted(arena.app.get_battle(battle_id).players) == sorted(players)
    for user, (_, submission_id) in zip(players, submitted):
        assert submissions_stored(arena, battle_id, user) == [submission_id]
