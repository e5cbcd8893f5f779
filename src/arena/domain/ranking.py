"""The ranking rules as one pure function: facts in, ranked rows out (no I/O). The live
scoreboard and the settlement both call it, so a board and a ledger can never disagree.

Ranking happens at read time from stored facts, so the order in which deliveries arrived across
aggregates (a verdict before Battle.Started, verdicts in judging order) cannot change the result.
The rules are written out for people in docs/scoreboard.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

REJECTED = frozenset({"WA", "TLE", "MLE", "RE", "OLE"})  # CE and IE cost nothing
PENALTY_PER_REJECTION = 20


class Attempt(NamedTuple):  # a tuple: a settlement builds 50,000 of them, four times faster than a frozen dataclass
    submission_id: str
    user_id: str
    problem: str
    received_at: datetime
    verdict: str
    points: int = 0


class Summary(NamedTuple):
    """One player's line before ranking."""
    user_id: str
    solved: int
    penalty: int
    points: int
    last_accepted_at: datetime | None
    problems: dict[str, Any]


def scored_points(problem_points: int, details: Mapping[str, Any]) -> int:
    """What a scored submission (a Kattis `type: scoring` problem; its verdict's details carry
    `score` and `max_score`) earns: its share of the problem's points, rounded down, so never
    more than it scored. A pass-fail verdict carries no score and earns nothing here."""
    score, most = details.get("score"), details.get("max_score")
    if not isinstance(score, (int, float)) or not isinstance(most, (int, float)) or most <= 0:
        return 0
    return math.floor(problem_points * min(1.0, max(0.0, score / most)) + 1e-9)


def rank(scoring: str, started_at: datetime | None, ended_at: datetime | None,
         users: Iterable[str], attempts: Iterable[Attempt],
         problem_points: Mapping[str, int] | None = None, detail: bool = True) -> list[dict[str, Any]]:
    """Rows in rank order; standard competition ranking (1, 2, 2, 4). Without `detail` the rows
    carry no per-problem breakdown (a settlement's standings need none)."""
    return [{"rank": place, "user_id": line.user_id, "solved": line.solved, "penalty": line.penalty,
             "points": line.points, "last_accepted_at": line.last_accepted_at, "problems": line.problems}
            for place, line in ranked(scoring, started_at, ended_at, users, attempts, problem_points, detail)]


def ranked(scoring: str, started_at: datetime | None, ended_at: datetime | None,
           users: Iterable[str], attempts: Iterable[Attempt],
           problem_points: Mapping[str, int] | None = None, detail: bool = True) -> list[tuple[int, Summary]]:
    """(rank, summary) in rank order: `rank` as tuples, for callers that need no dicts (a
    settlement of 50,000 players)."""
    by_user: dict[str, list[Attempt]] = {user: [] for user in users}  # no attempt: still a row
    for attempt in attempts:
        if ended_at is None or attempt.received_at <= ended_at:
            own = by_user.get(attempt.user_id)
            if own is None:
                own = by_user[attempt.user_id] = []
            own.append(attempt)
    points_of = problem_points or {}
    lines = [_summary(user, own, started_at, points_of, detail) if own else _nothing(user)
             for user, own in by_user.items()]
    # (key, user id, index): tuples compare in C, and the index spares comparing the lines
    keyed = sorted((_key(scoring, line), line.user_id, index) for index, line in enumerate(lines))
    result, previous, current = [], None, 0
    for position, (key, _, index) in enumerate(keyed, start=1):
        if key != previous:
            previous, current = key, position
        result.append((current, lines[index]))
    return result


def _key(scoring: str, line: Summary) -> tuple:
    if scoring == "points":
        if line.points == 0 and line.solved == 0:
            return (1,)  # nothing earned: after everyone who earned something, all tied
        return (0, -line.points, line.last_accepted_at)
    if line.solved == 0:
        return (1,)  # nothing solved: after everyone who solved something, all tied
    return (0, -line.solved, line.penalty, line.last_accepted_at)


def _nothing(user: str) -> Summary:
    return Summary(user, 0, 0, 0, None, {})


def _summary(user: str, attempts: list[Attempt], started_at: datetime | None,
             problem_points: Mapping[str, int], detail: bool) -> Summary:
    if len(attempts) == 1 and not detail:
        return _one_attempt(user, attempts[0], started_at, problem_points)
    by_problem: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        own = by_problem.get(attempt.problem)
        if own is None:
            by_problem[attempt.problem] = [attempt]
        else:
            own.append(attempt)
    problems, solved, penalty, points, last = {}, 0, 0, 0, None
    for slug in sorted(by_problem):
        own = by_problem[slug]
        if len(own) > 1:  # judging order may differ from submission order: the submission time decides
            own.sort(key=_submission_order)
        accepted = next((a for a in own if a.verdict == "AC"), None)
        rejected = sum(1 for a in own if a.verdict in REJECTED
                       and (accepted is None or a.received_at < accepted.received_at))
        earned = 0
        if accepted is not None:
            earned = problem_points.get(slug, max(a.points for a in own if a.verdict == "AC"))
            penalty += _minutes(started_at, accepted.received_at) + PENALTY_PER_REJECTION * rejected
            points += earned
            solved += 1
            last = accepted.received_at if last is None or accepted.received_at > last else last
        else:  # a scoring problem's partial scores: the best one counts, from when it came
            best = max(own, key=lambda a: a.points)
            if best.points > 0:
                earned = best.points
                points += earned
                last = best.received_at if last is None or best.received_at > last else last
        if detail:
            problems[slug] = {"accepted_at": accepted and accepted.received_at, "rejected": rejected,
                              "points": earned}
    return Summary(user, solved, penalty if solved else 0, points, last, problems)


_NO_PROBLEMS: dict[str, Any] = {}  # shared by the summaries without detail: nobody writes to it


def _one_attempt(user: str, attempt: Attempt, started_at: datetime | None,
                 problem_points: Mapping[str, int]) -> Summary:
    """_summary for a player with a single attempt (most of a big battle's players), without its
    grouping and sorting; the same numbers (tests/unit/domain/test_ranking.py compares them)."""
    if attempt.verdict != "AC":
        if attempt.points > 0:  # a partial score (scored_points)
            return Summary(user, 0, 0, attempt.points, attempt.received_at, _NO_PROBLEMS)
        return Summary(user, 0, 0, 0, None, _NO_PROBLEMS)
    return Summary(user, 1, _minutes(started_at, attempt.received_at),
                   problem_points.get(attempt.problem, attempt.points), attempt.received_at, _NO_PROBLEMS)


def _submission_order(attempt: Attempt) -> tuple[datetime, str]:
    return attempt.received_at, attempt.submission_id


def _minutes(started_at: datetime | None, at: datetime) -> int:
    if started_at is None:  # Battle.Started not delivered yet: count time once it is
        return 0
    return max(0, int((at - started_at).total_seconds() // 60))
