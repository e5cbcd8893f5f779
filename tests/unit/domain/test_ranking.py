"""The scoreboard's ranking rules, on facts alone (no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

from arena.domain.ranking import Attempt, rank, scored_points

START = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)
END = START + timedelta(hours=2)
_ids = count(1)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def attempt(user: str, problem: str, minutes: float, verdict: str, points: int = 0) -> Attempt:
    return Attempt(f"s{next(_ids):05d}", user, problem, at(minutes), verdict, points)


def by_user(rows: list[dict]) -> dict[str, dict]:
    return {row["user_id"]: row for row in rows}


def test_icpc_orders_by_solved_then_penalty() -> None:
    rows = rank("icpc", START, END, ["ada", "bob", "cy"], [
        attempt("ada", "a", 10, "AC"), attempt("ada", "b", 20, "AC"),
        attempt("bob", "a", 5, "AC"),
        attempt("cy", "a", 30, "AC"), attempt("cy", "b", 40, "AC"),
    ])
    assert [(r["user_id"], r["rank"], r["solved"], r["penalty"]) for r in rows] == [
        ("ada", 1, 2, 30), ("cy", 2, 2, 70), ("bob", 3, 1, 5)]


def test_penalty_counts_minutes_from_start_and_twenty_per_earlier_rejection() -> None:
    rows = rank("icpc", START, END, ["ada"], [
        attempt("ada", "a", 3, "WA"), attempt("ada", "a", 7.9, "TLE"),
        attempt("ada", "a", 12.5, "AC"), attempt("ada", "a", 15, "WA"),
    ])
    assert rows[0]["penalty"] == 12 + 2 * 20
    assert rows[0]["problems"]["a"] == {"accepted_at": at(12.5), "rejected": 2, "points": 0}


def test_compile_errors_and_internal_errors_cost_nothing() -> None:
    rows = rank("icpc", START, END, ["ada"], [
        attempt("ada", "a", 1, "CE"), attempt("ada", "a", 2, "IE"), attempt("ada", "a", 4, "AC")])
    assert (rows[0]["penalty"], rows[0]["problems"]["a"]["rejected"]) == (4, 0)


def test_attempts_received_after_the_end_are_ignored() -> None:
    rows = rank("icpc", START, END, ["ada", "bob"], [
        attempt("ada", "a", 50, "AC"), attempt("bob", "a", 121, "AC")])
    assert by_user(rows)["bob"]["solved"] == 0
    assert [r["user_id"] for r in rows] == ["ada", "bob"]


def test_verdicts_recorded_out_of_submission_order_rank_by_submission_time() -> None:
    late_ac = attempt("ada", "a", 30, "AC", points=100)
    early_wa = attempt("ada", "a", 10, "WA")
    early_ac = attempt("ada", "a", 20, "AC", points=0)  # judged after late_ac: no points awarded
    rows = rank("icpc", START, END, ["ada"], [late_ac, early_wa, early_ac])
    assert rows[0]["problems"]["a"]["accepted_at"] == at(20)
    assert rows[0]["penalty"] == 20 + 20
    assert rows[0]["points"] == 100


def test_equal_results_share_a_rank_and_the_next_rank_skips() -> None:
    rows = rank("icpc", START, END, ["a1", "b2", "c3", "d4"], [
        attempt("a1", "x", 5, "AC"), attempt("a1", "y", 6, "AC"),
        attempt("b2", "x", 10, "AC"), attempt("c3", "x", 10, "AC"),
        attempt("d4", "x", 30, "AC"),
    ])
    assert [r["rank"] for r in rows] == [1, 2, 2, 4]


def test_players_with_no_submission_rank_last_tied_with_zero() -> None:
    rows = rank("icpc", START, END, ["zed", "amy", "bob", "cy"], [
        attempt("bob", "a", 10, "AC"), attempt("cy", "a", 5, "WA")])
    assert rows[0]["user_id"] == "bob"
    assert [(r["rank"], r["solved"], r["penalty"]) for r in rows[1:]] == [(2, 0, 0)] * 3


def test_points_scoring_sums_problem_points_and_breaks_ties_by_earlier_last_accepted() -> None:
    points = {"easy": 100, "hard": 300}
    rows = rank("points", START, END, ["ada", "bob", "cy", "dan"], [
        attempt("ada", "easy", 50, "AC"), attempt("ada", "hard", 60, "AC"),
        attempt("bob", "hard", 10, "AC"), attempt("bob", "easy", 20, "WA"),
        attempt("cy", "hard", 5, "WA"), attempt("cy", "easy", 40, "AC"), attempt("cy", "hard", 55, "AC"),
    ], problem_points=points)
    assert [(r["user_id"], r["rank"], r["points"]) for r in rows] == [
        ("cy", 1, 400), ("ada", 2, 400), ("bob", 3, 300), ("dan", 4, 0)]


def test_a_battle_not_yet_started_counts_no_minutes() -> None:
    rows = rank("icpc", None, None, ["ada"], [attempt("ada", "a", 30, "WA"), attempt("ada", "a", 40, "AC")])
    assert rows[0]["penalty"] == 20


def test_rows_without_detail_equal_the_detailed_rows_for_players_with_one_attempt() -> None:
    """Without detail a player with a single attempt takes a shortcut: the same numbers."""
    verdicts = ["AC", "WA", "TLE", "CE", "IE", "RE"]
    users = [f"u{n:03d}" for n in range(120)]
    attempts = [attempt(user, "ab"[n % 2], n % 97, verdicts[n % len(verdicts)], points=n % 5)
                for n, user in enumerate(users[:100])]  # the last 20 never submitted
    for scoring, points in (("icpc", None), ("points", {"a": 100}), ("points", None)):
        detailed = rank(scoring, START, END, users, attempts, points)
        brief = rank(scoring, START, END, users, attempts, points, detail=False)
        assert [{**row, "problems": {}} for row in detailed] == brief


def test_a_scored_submission_earns_its_share_of_the_problems_points_rounded_down() -> None:
    assert scored_points(300, {"score": 30.0, "max_score": 100.0}) == 90
    assert scored_points(100, {"score": 2, "max_score": 3}) == 66
    assert scored_points(100, {"score": 150, "max_score": 100}) == 100  # never beyond the problem's
    assert scored_points(100, {"tests": []}) == 0  # a pass-fail verdict carries no score
    assert scored_points(100, {"score": 5, "max_score": 0}) == 0


def test_in_a_points_battle_the_best_partial_score_counts_and_ranks_above_nothing() -> None:
    points = {"subtasks": 200, "easy": 100}
    rows = rank("points", START, END, ["ada", "bob", "cy", "dan"], [
        attempt("ada", "subtasks", 10, "WA", points=60), attempt("ada", "subtasks", 30, "TLE", points=140),
        attempt("bob", "easy", 5, "AC"), attempt("bob", "subtasks", 50, "AC"),
        attempt("cy", "subtasks", 20, "WA", points=140),
        attempt("dan", "easy", 1, "WA"),
    ], problem_points=points)
    assert [(r["user_id"], r["rank"], r["points"], r["solved"]) for r in rows] == [
        ("bob", 1, 300, 2), ("cy", 2, 140, 0), ("ada", 3, 140, 0), ("dan", 4, 0, 0)]
    assert by_user(rows)["ada"]["problems"]["subtasks"]["points"] == 140


def test_partial_scores_do_not_count_as_solved_in_an_icpc_battle() -> None:
    rows = rank("icpc", START, END, ["ada", "bob"], [
        attempt("ada", "subtasks", 10, "WA", points=60), attempt("bob", "easy", 50, "AC")])
    assert [(r["user_id"], r["rank"], r["solved"]) for r in rows] == [("bob", 1, 1), ("ada", 2, 0)]
