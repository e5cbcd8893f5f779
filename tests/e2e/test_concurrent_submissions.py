"""Finding 4 over HTTP: one player submitting from many tabs at once gets 202s (or, at worst,
503 with Retry-After), never another 5xx, and every accepted submission is stored once."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from helpers import make_running_battle, submit, unique

TABS = 32


def test_finding_4_many_tabs_submitting_for_one_player_never_fail_with_500(api, e2e_arena) -> None:
    player = unique("ada")
    battle = make_running_battle(api, players=(player,))
    start = threading.Barrier(TABS)

    def tab(number: int):
        start.wait()
        return submit(api, battle, player=player, source=f"print({number})")

    with ThreadPoolExecutor(max_workers=TABS) as pool:
        responses = list(pool.map(tab, range(TABS)))

    statuses = [response.status_code for response in responses]
    assert all(status in (202, 503) for status in statuses), [r.text for r in responses if r.status_code >= 300]
    assert all("retry-after" in r.headers for r in responses if r.status_code == 503)
    accepted = [r.json()["id"] for r in responses if r.status_code == 202]
    assert accepted, statuses
    stored = e2e_arena.app.get_room_player(uuid.UUID(battle.id), player).submissions
    assert sorted(stored) == sorted(accepted)  # each accepted one exactly once, no other
