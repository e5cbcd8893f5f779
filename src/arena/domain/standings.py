"""A battle's final standings and their result hash: what a settlement records and an auditor
recomputes. Pure: facts in, standings out; ranked by the same rules as the live scoreboard.

The canonical form (docs/settlement.md) is what the hash covers, so that anyone holding the
events can recompute it: UTF-8 JSON without spaces,
    {"battle_id": "<uuid>", "scoring": "icpc", "rows": [[user_id, rank, solved, penalty, points], ...]}
with rows in rank order, ties by user id (the order `rank` returns them in).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic_core import to_json

from arena.domain.ranking import Attempt, ranked


@dataclass(frozen=True)
class BattleFacts:
    """What the standings are computed from, read from the events of a battle's room players."""

    users: Sequence[str]  # everyone who joined, in joining order
    attempts: Sequence[Attempt]  # every judged submission received up to the end
    awaiting: Sequence[str] = ()  # submissions received up to the end that have no verdict yet


@dataclass(frozen=True)
class Standings:
    battle_id: UUID
    scoring: str
    users: tuple[str, ...] = ()
    ranks: tuple[int, ...] = ()
    solved: tuple[int, ...] = ()
    penalty: tuple[int, ...] = ()
    points: tuple[int, ...] = ()
    result_hash: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "result_hash", hashlib.sha256(self.canonical()).hexdigest())

    def __deepcopy__(self, memo: dict[int, object]) -> Standings:
        return self  # frozen: copies of a Settlement share it (the command cache copies every get)

    def canonical(self) -> bytes:
        # pydantic's encoder writes the bytes json.dumps(separators=(",", ":"), ensure_ascii=False)
        # does (tests/unit checks them on every kind of character), 4-5 times faster (50,000 rows)
        rows = list(zip(self.users, self.ranks, self.solved, self.penalty, self.points))
        return to_json({"battle_id": str(self.battle_id), "scoring": self.scoring, "rows": rows})

    def columns(self) -> dict[str, list[Any]]:
        """The standings as the Settled event carries them: one list per column."""
        return {"users": list(self.users), "ranks": list(self.ranks), "solved": list(self.solved),
                "penalty": list(self.penalty), "points": list(self.points)}

    @classmethod
    def from_columns(cls, battle_id: UUID, scoring: str, columns: dict[str, Sequence[Any]]) -> Standings:
        return cls(battle_id, scoring, *(tuple(columns[k]) for k in ("users", "ranks", "solved", "penalty", "points")))

    def by_user(self) -> dict[str, tuple[int, int]]:
        """user -> (rank, points): what the ledger holds per player."""
        return dict(zip(self.users, zip(self.ranks, self.points)))


def standings(battle_id: UUID, scoring: str, started_at: datetime | None, ended_at: datetime | None,
              problem_points: dict[str, int], facts: BattleFacts) -> Standings:
    """The ranked standings; missing verdicts count as not solved."""
    lines = ranked(scoring, started_at, ended_at, facts.users, facts.attempts, problem_points, detail=False)
    if not lines:
        return Standings(battle_id, scoring)
    places, summaries = zip(*lines)
    users, solved, penalty, points = list(zip(*summaries))[:4]  # Summary's first four fields, as columns
    return Standings(battle_id, scoring, users, places, solved, penalty, points)


def facts_of_players(ended_at: datetime | None, users: Sequence[str],
                     players: Iterable[Any]) -> BattleFacts:
    """The facts, from the room players themselves (RoomPlayer aggregates): every submission
    received up to the end, judged (an attempt) or not (awaited)."""
    attempts, awaiting = [], []
    for player in players:
        for submission in player.submissions.values():
            if ended_at is not None and submission["received_at"] > ended_at:
                continue  # raced the end: it scores nothing, so nothing waits for it
            if submission["verdict"] is None:
                awaiting.append(submission["id"])
            else:
                attempts.append(Attempt(submission["id"], player.user_id, submission["problem"],
                                        submission["received_at"], submission["verdict"], submission["points"]))
    return BattleFacts(tuple(users), attempts, awaiting)


def changes(before: Standings | None, after: Standings) -> dict[str, list[Any]]:
    """The ledger rows of a revision: per player whose rank or points moved, the differences,
    so that the ledger's sum per player is always the current standing."""
    old = before.by_user() if before is not None else {}
    users, ranks, points = [], [], []
    for user, (new_rank, new_points) in after.by_user().items():
        old_rank, old_points = old.get(user, (0, 0))
        if (new_rank, new_points) != (old_rank, old_points):
            users.append(user)
            ranks.append(new_rank - old_rank)
            points.append(new_points - old_points)
    return {"users": users, "ranks": ranks, "points": points}
