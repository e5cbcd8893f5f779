"""An independent oracle for settlement tests: the expected (rank, points) per player, computed
from the submissions a test made, without arena's ranking code.

Points scoring only (the simplest rule to state independently): a player's points are the sum
of the points of the problems they solved (first AC per problem, received before the end);
ties on points are broken by the earlier last accepted submission; players who solved nothing
share the last rank; standard competition ranking (1, 2, 2, 4).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Made:
    user: str
    problem: str
    order: int  # submission order (received_at increases with it)
    verdict: str


def expected(users: list[str], made: list[Made], points: dict[str, int]) -> dict[str, tuple[int, int]]:
    solved: dict[str, dict[str, int]] = {user: {} for user in users}
    for m in sorted(made, key=lambda m: m.order):
        if m.verdict == "AC" and m.problem not in solved[m.user]:
            solved[m.user][m.problem] = m.order
    def key(user: str) -> tuple:
        if not solved[user]:
            return (1, 0, 0)
        return (0, -sum(points[p] for p in solved[user]), max(solved[user].values()))
    ordered = sorted(users, key=lambda u: (key(u), u))
    result, previous, current = {}, None, 0
    for position, user in enumerate(ordered, start=1):
        if key(user) != previous:
            previous, current = key(user), position
        result[user] = (current, sum(points[p] for p in solved[user]))
    return result
