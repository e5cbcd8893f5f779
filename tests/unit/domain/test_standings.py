"""Standings, their result hash and the ledger differences of a revision (no I/O)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from uuid import UUID

from arena.domain.ranking import Attempt
from arena.domain.standings import BattleFacts, changes, standings

BATTLE = UUID("00000000-0000-4000-8000-000000000001")
START = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)
END = START + timedelta(hours=1)
POINTS = {"sum": 100, "max": 300}


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def facts(*attempts: tuple[str, str, float, str], users=("ada", "bob", "cy", "dee")) -> BattleFacts:
    return BattleFacts(users, [Attempt(f"s{i}", user, problem, at(minute), verdict, 0)
                               for i, (user, problem, minute, verdict) in enumerate(attempts)])


def test_icpc_standings_rank_with_ties_sharing_a_rank_and_the_next_rank_skipping() -> None:
    result = standings(BATTLE, "icpc", START, END, POINTS, facts(
        ("ada", "sum", 10, "AC"), ("bob", "sum", 10, "AC"), ("cy", "sum", 5, "WA"), ("cy", "sum", 30, "AC")))
    assert list(zip(result.users, result.ranks, result.solved, result.penalty, result.points)) == [
        ("ada", 1, 1, 10, 100), ("bob", 1, 1, 10, 100), ("cy", 3, 1, 50, 100), ("dee", 4, 0, 0, 0)]


def test_points_standings_rank_by_points_then_the_earlier_last_accept() -> None:
    result = standings(BATTLE, "points", START, END, POINTS, facts(
        ("ada", "sum", 10, "AC"), ("bob", "max", 50, "AC"), ("cy", "max", 20, "AC"), ("cy", "sum", 21, "AC")))
    assert list(zip(result.users, result.ranks, result.points)) == [
        ("cy", 1, 400), ("bob", 2, 300), ("ada", 3, 100), ("dee", 4, 0)]


def test_the_same_facts_give_the_same_hash() -> None:
    one = standings(BATTLE, "icpc", START, END, POINTS, facts(("ada", "sum", 10, "AC")))
    two = standings(BATTLE, "icpc", START, END, POINTS, facts(("ada", "sum", 10, "AC")))
    assert one.result_hash == two.result_hash
    assert len(one.result_hash) == 64


def test_any_changed_row_changes_the_hash() -> None:
    base = standings(BATTLE, "icpc", START, END, POINTS, facts(("ada", "sum", 10, "AC")))
    for other in (
        standings(BATTLE, "icpc", START, END, POINTS, facts(("ada", "sum", 11, "AC"))),  # penalty
        standings(BATTLE, "icpc", START, END, POINTS, facts(("bob", "sum", 10, "AC"))),  # who solved
        standings(BATTLE, "points", START, END, POINTS, facts(("ada", "sum", 10, "AC"))),  # the rule
        standings(UUID(int=2), "icpc", START, END, POINTS, facts(("ada", "sum", 10, "AC"))),  # battle
    ):
        assert other.result_hash != base.result_hash


def test_the_canonical_form_is_the_documented_json() -> None:
    result = standings(BATTLE, "icpc", START, END, POINTS, facts(("ada", "sum", 10, "AC"), users=("ada", "bob")))
    assert result.canonical() == (
        b'{"battle_id":"00000000-0000-4000-8000-000000000001","scoring":"icpc",'
        b'"rows":[["ada",1,1,10,100],["bob",2,0,0,0]]}')


def test_the_canonical_form_writes_every_kind_of_character_as_json_dumps_does() -> None:
    """The documented form is json.dumps(separators=(",", ":"), ensure_ascii=False): anyone
    recomputing a hash with Python's json module gets the same bytes as the fast encoder."""
    tricky = ["quote\"back\\slash", "tab\tnew\nline", "\x00\x1f\x7f", "é字😀", "\u2028\u2029\ufeff", "a/b"]
    tricky += ["".join(chr(c) for c in range(start, start + 64)) for start in range(0, 0x800, 64)]
    result = standings(BATTLE, "icpc", START, END, POINTS, BattleFacts(tuple(tricky), ()))
    rows = [list(row) for row in zip(result.users, result.ranks, result.solved, result.penalty, result.points)]
    document = {"battle_id": str(BATTLE), "scoring": "icpc", "rows": rows}
    assert result.canonical() == json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_battle_with_no_players_has_empty_standings() -> None:
    result = standings(BATTLE, "icpc", START, END, POINTS, BattleFacts((), ()))
    assert result.users == () and len(result.result_hash) == 64


def test_revision_changes_are_the_differences_so_the_sum_is_the_current_standing() -> None:
    before = standings(BATTLE, "icpc", START, END, POINTS, facts(("ada", "sum", 10, "AC")))
    after = standings(BATTLE, "icpc", START, END, POINTS, facts(("ada", "sum", 10, "AC"), ("bob", "max", 15, "AC")))
    delta = changes(before, after)
    first = changes(None, before)
    total: dict[str, list[int]] = {}
    for rows in (first, delta):
        for user, rank, points in zip(rows["users"], rows["ranks"], rows["points"]):
            total.setdefault(user, [0, 0])
            total[user][0] += rank
            total[user][1] += points
    assert {user: tuple(value) for user, value in total.items()} == {
        user: (rank, points) for user, rank, points in zip(after.users, after.ranks, after.points)}
    assert "ada" not in delta["users"]  # rank 1 and 100 points before and after: no row
