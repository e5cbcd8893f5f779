"""What the API shows of settlements, the ledger, the leaderboard and ratings: typed models, so
that the OpenAPI document carries the real shapes an auditor's tooling can check against."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from arena.domain.settlement import Settlement, SettlementStatus


class StandingRow(BaseModel):
    user_id: str
    rank: int = Field(description="standard competition rank (1, 2, 2, 4)")
    solved: int
    penalty: int = Field(description="minutes of penalty (icpc scoring; 0 under points scoring)")
    points: int


class SettlementView(BaseModel):
    battle_id: UUID
    settlement_id: UUID
    status: SettlementStatus
    revision: int = Field(description="0 while pending; n after the n-th recorded standings")
    season: str
    scoring: str
    ended_at: datetime
    result_hash: str | None = Field(description="sha256 of the canonical standings (docs/settlement.md); "
                                                "null while pending")
    missing: list[str] = Field(description="submissions received before the end that had no verdict "
                                           "when this revision was recorded (counted as not solved)")
    failure: str | None = Field(description="why applying the revision to the ledger failed (it is retried); "
                                            "shown to auditors and admins only")
    shown: Literal["all", "own"] = Field(description="all rows, or (for a player) only the caller's own")
    standings: list[StandingRow] = Field(description="in rank order, ties by user id")


class LedgerRow(BaseModel):
    battle_id: UUID
    revision: int
    user_id: str
    season: str
    rank: int = Field(description="revision 1: the rank; later revisions: the change in rank")
    points: int = Field(description="revision 1: the points; later revisions: the change in points")
    result_hash: str = Field(description="the result hash of the revision that wrote this row")
    idempotency_key: str = Field(description="<settlement id>:<revision>:<user id>, unique")
    applied_at: datetime


class LedgerPage(BaseModel):
    rows: list[LedgerRow]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class LeaderboardRow(BaseModel):
    rank: int
    user_id: str
    points: int
    battles: int


class LeaderboardPage(BaseModel):
    season: str
    offset: int
    limit: int
    rows: list[LeaderboardRow]


class RatingChange(BaseModel):
    battle_id: UUID
    before: int
    after: int
    rated_at: datetime


class RatingView(BaseModel):
    user_id: str
    rating: int = Field(description="the displayed rating")
    mu: float
    sigma: float
    contests: int
    history: list[RatingChange] = Field(description="newest first")


def settlement_view(settlement: Settlement, own: str | None = None,
                    own_submissions: Collection[str] = ()) -> SettlementView:
    """The whole settlement, or (own = a player's id) the header, that player's row and the
    missing submissions that are theirs; the failure reason is an operator's matter."""
    columns: dict[str, list[Any]] = settlement.standings.columns() if settlement.standings else {}
    rows = [StandingRow(user_id=u, rank=r, solved=s, penalty=p, points=pts) for u, r, s, p, pts in
            zip(*(columns.get(k, []) for k in ("users", "ranks", "solved", "penalty", "points")))]
    missing = list(settlement.missing)
    if own is not None:
        rows = [row for row in rows if row.user_id == own]
        missing = [m for m in missing if m in own_submissions]
    return SettlementView(
        battle_id=settlement.battle_id, settlement_id=settlement.id, status=settlement.status,
        revision=settlement.revision, season=settlement.season, scoring=settlement.scoring,
        ended_at=settlement.ended_at, result_hash=settlement.result_hash, missing=missing,
        failure=settlement.failure if own is None else None, shown="all" if own is None else "own",
        standings=rows)
