"""Settlement: a battle's final standings, settled exactly once into the ledger.

One per battle, id = uuid5(battle id, "settlement"): a second one cannot exist, because the
event store refuses a second version 1 of the same id. It is opened when the battle ends. While
submissions received before the end still wait for their verdict it is PENDING, at most until
`wait_until`; then it records the standings as revision 1 (SETTLED), missing verdicts counted
as not solved and listed. A verdict that changes the standings later (late, or a rejudge) makes
revision n+1, whose ledger rows are the differences. The ledger consumer confirms each revision
(APPLIED), or reports that applying it failed (FAILED, with the reason) and retries.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from arena.domain.copying import CopiesCheaply
from arena.domain.errors import DomainError
from arena.domain.standings import Standings, changes


class SettlementStatus(str, Enum):
    PENDING = "pending"  # waiting for verdicts of submissions received before the end
    SETTLED = "settled"  # a revision is recorded; the ledger has not confirmed it yet
    APPLIED = "applied"  # the ledger holds the current revision
    FAILED = "failed"  # applying the current revision failed; it is retried


def settlement_id(battle_id: UUID) -> UUID:
    return uuid5(battle_id, "settlement")


def season_of(at: datetime) -> str:
    """The default season: the calendar quarter in which the battle ended, e.g. '2026-Q4'."""
    return f"{at.year}-Q{(at.month - 1) // 3 + 1}"


class Settlement(CopiesCheaply, Aggregate):
    @staticmethod
    def create_id(battle_id: UUID, **_: Any) -> UUID:
        return settlement_id(battle_id)

    @event("Opened")
    def __init__(self, battle_id: UUID, season: str, scoring: str, ended_at: datetime,
                 wait_until: datetime, awaiting: list[str]) -> None:
        self.battle_id = battle_id
        self.season = season
        self.scoring = scoring
        self.ended_at = ended_at
        self.wait_until = wait_until
        self.awaiting = set(awaiting)
        self.status = SettlementStatus.PENDING
        self.revision = 0
        self.standings: Standings | None = None
        self.missing: list[str] = []
        self.failure: str | None = None

    @property
    def result_hash(self) -> str | None:
        return self.standings.result_hash if self.standings is not None else None

    def is_waiting(self, now: datetime) -> bool:
        """Still PENDING with verdicts to wait for, and the wait is not over."""
        return self.status is SettlementStatus.PENDING and bool(self.awaiting) and now < self.wait_until

    def verdict_arrived(self, submission_id: str) -> None:
        if self.status is SettlementStatus.PENDING and submission_id in self.awaiting:
            self._verdict_arrived(submission_id=submission_id)

    @event("VerdictArrived")
    def _verdict_arrived(self, submission_id: str) -> None:
        self.awaiting.discard(submission_id)

    def settle(self, standings: Standings, missing: list[str], at: datetime) -> bool:
        """Records the standings as the next revision, unless they are the current ones."""
        if standings.battle_id != self.battle_id:
            raise WrongBattle(f"standings of battle {standings.battle_id}, not {self.battle_id}")
        if standings.result_hash == self.result_hash:
            return False
        delta = changes(self.standings, standings) if self.standings is not None else None
        self._settled(battle_id=self.battle_id, season=self.season, scoring=self.scoring,
                      revision=self.revision + 1, result_hash=standings.result_hash,
                      standings=standings.columns(), changes=delta, missing=sorted(missing), at=at)
        return True

    @event("Settled")
    def _settled(self, battle_id: UUID, season: str, scoring: str, revision: int, result_hash: str,
                 standings: dict[str, list[Any]], changes: dict[str, list[Any]] | None,
                 missing: list[str], at: datetime) -> None:
        """`changes` is None for revision 1: its ledger rows are the standings themselves."""
        self.standings = Standings.from_columns(battle_id, scoring, standings)
        self.revision = revision
        self.missing = missing
        self.awaiting = set()
        self.status = SettlementStatus.SETTLED
        self.failure = None

    def confirm_applied(self, revision: int, at: datetime) -> bool:
        """The ledger holds `revision`; a repeat, or news of an older revision, changes nothing."""
        if revision != self.revision or self.status is SettlementStatus.APPLIED:
            return False
        self._applied(revision=revision, at=at)
        return True

    @event("Applied")
    def _applied(self, revision: int, at: datetime) -> None:
        self.status = SettlementStatus.APPLIED
        self.failure = None

    def report_failure(self, revision: int, reason: str, at: datetime) -> bool:
        if revision != self.revision or self.status is not SettlementStatus.SETTLED:
            return False
        self._failed(revision=revision, reason=reason[:2000], at=at)
        return True

    @event("Failed")
    def _failed(self, revision: int, reason: str, at: datetime) -> None:
        self.status = SettlementStatus.FAILED
        self.failure = reason


class SettlementError(DomainError):
    pass


class WrongBattle(SettlementError):
    pass


class NotSettleable(SettlementError):
    """A cancelled battle is never settled; a running one not yet (409)."""
