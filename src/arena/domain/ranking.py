"""The ranking rules as one pure function: facts in, ranked rows out (no I/O). The live
scoreboard and the settlement both call it, so a board and a ledger can never disagree.

Ranking happens at read time from stored facts, so the order in which deliveries arrived across
aggregates (a verdict before Battle.Started, verdicts in judging order) cannot change the result.
The rules are written out for people in docs/scoreboard.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

REJECTED = frozenset({"WA", "TLE", "MLE", "RE", "OLE"})  # CE and IE cost nothing
PENALTY_PER_REJECTION = 20


@dataclass(frozen=True)
class Attempt:
    submission_id: str
    user_id: str
    problem: str
    received_at: datetime
    verdict: str
    points: int = 0


def rank(scoring: str, started_at: datetime | None, ended_at: datetime | None,
         users: Iterable[str], attempts: Iterable[Attempt],
         problem_points: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """Rows in rank order; standard competition ranking (1, 2, 2, 4)."""
    by_user: dict[str, list[Attempt]] = {user: [] for user in users}  # no attempt: still a row
    for attempt in attempts:
        if ended_at is None or attempt.received_at <= ended_at:
            by_user.setdefault(attempt.user_id, []).append(attempt)
    rows = [_row(user, own, started_at, problem_points or {}) for user, own in by_user.items()]
    keyed = sorted(((_key(scoring, row), row["user_id"], row) for row in rows), key=lambda t: t[:2])
    ranked, previous, current = [], None, 0
    for position, (key, _, row) in enumerate(keyed, start=1):
        if key != previous:
            previous, current = key, position
        ranked.append({"rank": current, **row})
    return ranked


def _key(scoring: str, row: dict[str, Any]) -> tuple:
    if row["solved"] == 0:
        return (1,)  # nothing solved: after everyone who solved something, all tied
    if scoring == "points":
        return (0, -row["points"], row["last_accepted_at"])
    return (0, -row["solved"], row["penalty"], row["last_accepted_at"])


def _row(user: str, attempts: list[Attempt], started_at: datetime | None,
         problem_points: Mapping[str, int]) -> dict[str, Any]:
    by_problem: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_problem[attempt.problem].append(attempt)
    problems, penalty, points, last = {}, 0, 0, None
    for slug, own in sorted(by_problem.items()):
        # judging order may differ from submission order: the submission time decides
        own.sort(key=lambda a: (a.received_at, a.submission_id))
        accepted = next((a for a in own if a.verdict == "AC"), None)
        before = [a for a in own if accepted is None or a.received_at < accepted.received_at]
        rejected = sum(1 for a in before if a.verdict in REJECTED)
        earned = 0
        if accepted is not None:
            earned = problem_points.get(slug, max(a.points for a in own if a.verdict == "AC"))
            penalty += _minutes(started_at, accepted.received_at) + PENALTY_PER_REJECTION * rejected
            points += earned
            last = accepted.received_at if last is None else max(last, accepted.received_at)
        problems[slug] = {"accepted_at": accepted and accepted.received_at, "rejected": rejected,
                          "points": earned}
    solved = sum(1 for p in problems.values() if p["accepted_at"] is not None)
    return {"user_id": user, "solved": solved, "penalty": penalty if solved else 0,
            "points": points, "last_accepted_at": last, "problems": problems}


def _minutes(started_at: datetime | None, at: datetime) -> int:
    if started_at is None:  # Battle.Started not delivered yet: count time once it is
        return 0
    return max(0, int((at - started_at).total_seconds() // 60))
