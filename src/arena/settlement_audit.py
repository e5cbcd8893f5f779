"""Recomputing settlements from the event store and comparing them with the Settlement
aggregates and the ledger: what `arena ledger verify` reports.

Which battles: every Settlement whose `Opened` event is in the notification log, read by topic
(log_reader.read_pages: filtered in SQL on PostgreSQL). The log, not the ledger's distinct
battle ids: the store is the truth, a pending settlement has no ledger rows yet, and a battle
whose rows were lost from the ledger would be invisible there. Ledger rows of a battle that has
no Settlement at all are reported too.

Per settlement: the standings recomputed from the battle's facts (`app.facts_of`) with the
same domain function the settlement used, then
  (a) the recomputed result hash against the Settlement's current one,
  (b) per user, the ledger's sums over revisions (rank, points) against the recomputed ones,
  (c) each ledger row's result hash against the hash of the revision that wrote it.
A settlement still waiting for verdicts is `pending`; one whose latest revision the ledger has
not confirmed yet (settled, or failed and retried) skips (b) and is `unapplied`: neither is a
difference. A verdict recorded a moment ago may not be settled yet: run again before acting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import Engine, select

from arena.db.settlement_tables import settlement_ledger
from arena.domain.settlement import Settlement, SettlementStatus
from arena.domain.standings import Standings, standings
from arena.projections.ledger import ledger_sums, read_ledger
from arena.projections.log_reader import read_pages

OPENED = get_topic(Settlement.Opened)
PAGE = 1000


@dataclass(frozen=True)
class Difference:
    battle_id: str
    user_id: str | None  # None: the settlement as a whole (its hash), or a whole battle
    what: str
    expected: Any
    found: Any

    def __str__(self) -> str:
        who = f" user {self.user_id}" if self.user_id is not None else ""
        return f"battle {self.battle_id}{who}: {self.what}: expected {self.expected}, found {self.found}"


@dataclass
class Verified:
    """One settlement's outcome."""

    battle_id: str
    status: SettlementStatus
    rows: int = 0
    differences: list[Difference] = field(default_factory=list)
    notice: str | None = None  # pending or unapplied: said, not counted as a difference


def settlement_ids(app: Any, engine: Engine) -> list[UUID]:
    """Every Settlement in the store, in the order they were opened."""
    return [UUID(originator_id) for rows, _ in read_pages(app, engine, 0, PAGE, (OPENED,))
            for _, originator_id, _, _, _ in rows]


def orphan_battles(engine: Engine, known: set[str]) -> list[str]:
    """Battles with ledger rows but no Settlement in the store."""
    with engine.connect() as conn:
        ledgered = conn.execute(select(settlement_ledger.c.battle_id).distinct()).scalars().all()
    return sorted(set(ledgered) - known)


def verify_settlement(app: Any, engine: Engine, settlement: Settlement) -> Verified:
    battle_id = str(settlement.battle_id)
    result = Verified(battle_id, settlement.status)
    rows = list(ledger_rows(engine, battle_id))
    result.rows = len(rows)
    if settlement.status is SettlementStatus.PENDING:
        result.notice = (f"battle {battle_id}: pending, waiting for {len(settlement.awaiting)} verdicts "
                         f"until {settlement.wait_until.isoformat()}")
        if rows:  # nothing is settled, so nothing may be in the ledger
            result.differences.append(Difference(battle_id, None, "ledger rows", 0, len(rows)))
        return result
    recomputed = recompute(app, settlement.battle_id)
    if recomputed.result_hash != settlement.result_hash:
        result.differences.append(Difference(battle_id, None, "result_hash", recomputed.result_hash,
                                             settlement.result_hash))
    if settlement.status is SettlementStatus.APPLIED:
        result.differences += _sums_differ(battle_id, recomputed, ledger_sums(engine, battle_id))
    else:
        result.notice = (f"battle {battle_id}: revision {settlement.revision} is {settlement.status.value}, "
                         "not yet applied to the ledger; its sums are not compared"
                         + (f" (failure: {settlement.failure})" if settlement.failure else ""))
    hashes = revision_hashes(app, settlement.id)
    for row in rows:
        expected = hashes.get(row["revision"], "no such revision")
        if row["result_hash"] != expected:
            result.differences.append(Difference(battle_id, row["user_id"], f"result_hash of revision {row['revision']}",
                                                 expected, row["result_hash"]))
    return result


def recompute(app: Any, battle_id: UUID) -> Standings:
    """The standings as the settlement computes them (application/settlement.py), from the store."""
    battle = app.get_battle(battle_id)
    points = {slug: problem["points"] for slug, problem in battle.problems.items()}
    return standings(battle.id, battle.settings.scoring, battle.started_at, battle.ended_at, points,
                     app.facts_of(battle))


def revision_hashes(app: Any, settlement_id: UUID) -> dict[int, str]:
    return {event.revision: event.result_hash for event in app.events.get(settlement_id)
            if isinstance(event, Settlement.Settled)}


def ledger_rows(engine: Engine, battle_id: str) -> Iterator[dict[str, Any]]:
    """All of a battle's ledger rows (every revision), in (revision, user) order, a page at a time."""
    after = None
    while page := read_ledger(engine, battle=battle_id, after=after, limit=PAGE):
        yield from page
        last = page[-1]
        after = (last["battle_id"], last["revision"], last["user_id"])


def _sums_differ(battle_id: str, recomputed: Standings, sums: dict[str, tuple[int, int, str]]) -> list[Difference]:
    found: list[Difference] = []
    expected = recomputed.by_user()
    for user in sorted(expected.keys() | sums.keys()):
        want, have = expected.get(user), sums.get(user)
        if want is None:
            found.append(Difference(battle_id, user, "ledger rows of a user not in the standings", "none",
                                    f"rank {have[0]}, points {have[1]}"))  # type: ignore[index]
        elif have is None:
            found.append(Difference(battle_id, user, "ledger rows", f"rank {want[0]}, points {want[1]}", "none"))
        else:
            for what, a, b in (("rank", want[0], have[0]), ("points", want[1], have[1])):
                if a != b:
                    found.append(Difference(battle_id, user, what, a, b))
    return found
