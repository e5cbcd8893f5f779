"""The settlement ledger and the season leaderboard, from Settlement.Settled events.

Each revision of a settlement writes its rows once (revision 1: the standings; later ones: the
differences), in bulk (binary COPY from 500 rows, append.py), in the same transaction as the
projection's tracking row (`deliver`); then the leaderboard gains those rows' points, summed
from the ledger by the database in one statement. The ledger is append-only: nothing here
updates or deletes a ledger row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from arena.db.settlement_tables import season_leaderboard, settlement_ledger
from arena.domain.settlement import Settlement
from arena.projections.folding import Folded, FoldingProjection, Writers, folds, suffixed
from arena.projections.append import AppendWriter, SumsFromLedger

TABLES = (settlement_ledger, season_leaderboard)


class Ledger(FoldingProjection):
    version = 1

    def __init__(self, name: str = "ledger", suffix: str = "") -> None:
        self.name, self.suffix = name, suffix
        self.tables = suffixed(TABLES, suffix)

    def _writers(self) -> Writers:
        ledger, leaderboard = self.tables
        # flushed in this order: the leaderboard sums the ledger rows written just before
        return {"settlement_ledger": AppendWriter(ledger),  # type: ignore[dict-item]
                "season_leaderboard": SumsFromLedger(leaderboard, ledger)}  # type: ignore[dict-item]

    @folds(Settlement.Settled, "battle_id", "season", "revision", "result_hash", "standings", "changes")
    def settled(self, writers: Writers, event: Folded) -> None:
        data = event.data
        battle_id, season, revision = str(data["battle_id"]), data["season"], data["revision"]
        rows = data["changes"] if data["changes"] is not None else data["standings"]
        ledger, leaderboard = writers["settlement_ledger"], writers["season_leaderboard"]
        key_head, applied_at, result_hash = f"{event.originator_id}:{revision}:", event.timestamp, data["result_hash"]
        # In user order: both of the ledger's indexes lead with the user (after the battle), and
        # rows that arrive in index order fill B-tree pages one after another instead of all
        # over them (50,000 rows: 0.14 s instead of 0.23 s in PostgreSQL; docs/benchmarks.md)
        for user, rank, points in sorted(zip(rows["users"], rows["ranks"], rows["points"])):
            ledger.append((battle_id, revision, user, season, rank, points, result_hash, key_head + user, applied_at))
        leaderboard.add_revision(battle_id, revision)

def read_ledger(engine: Engine, *, user: str | None = None, battle: str | None = None,
                season: str | None = None, after: tuple[str, int, str] | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
    """Ledger rows in a stable order (battle, revision, user), from after the cursor `after`."""
    t = settlement_ledger
    query = select(t).order_by(t.c.battle_id, t.c.revision, t.c.user_id).limit(limit)
    for column, value in ((t.c.user_id, user), (t.c.battle_id, battle), (t.c.season, season)):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        b, r, u = after
        query = query.where(or_(t.c.battle_id > b, and_(t.c.battle_id == b, t.c.revision > r),
                                and_(t.c.battle_id == b, t.c.revision == r, t.c.user_id > u)))
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def read_leaderboard(engine: Engine, season: str, offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """A season's players by points (then by user id), with standard competition ranks."""
    t = season_leaderboard
    rank = func.rank().over(order_by=t.c.points.desc()).label("rank")
    inner = select(t.c.user_id, t.c.points, t.c.battles, rank).where(t.c.season == season).subquery()
    query = select(inner).order_by(inner.c.rank, inner.c.user_id).offset(offset).limit(limit)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def ledger_sums(engine: Engine, battle: str) -> dict[str, tuple[int, int, str]]:
    """user -> (sum of ranks, sum of points, result hash of their latest row), for verification."""
    t = settlement_ledger
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.user_id, t.c.revision, t.c.rank, t.c.points, t.c.result_hash)
                            .where(t.c.battle_id == battle).order_by(t.c.revision))
        sums: dict[str, tuple[int, int, str]] = {}
        for user, _, rank, points, result_hash in rows:
            old_rank, old_points, _ = sums.get(user, (0, 0, ""))
            sums[user] = (old_rank + rank, old_points + points, result_hash)
    return sums
