"""Settlement verbs: the settlement process' commands, each idempotent.

`settle` runs on BattleEnded (and again when the wait for verdicts is over), `verdict_arrived`
on every verdict recorded after the end. The standings come from the events of the battle and
its room players (the `facts_of` reader), never from a read model that may lag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from arena.application.machinery import CommandMachinery, retry_on_conflict
from arena.crash_points import crash_point
from arena.domain.battle import Battle, BattleStatus
from arena.domain.errors import NotFound
from arena.domain.settlement import Settlement, SettlementStatus, season_of, settlement_id
from arena.domain.standings import BattleFacts, standings

FactsOf = Callable[[Battle], BattleFacts]


class SettlementVerbs(CommandMachinery):
    facts_of: FactsOf
    settle_wait: timedelta

    @retry_on_conflict
    def settle(self, battle_id: UUID) -> UUID | None:
        """Opens the battle's settlement, or completes it once the wait for verdicts is over.
        A battle that has not ended (or was cancelled) has nothing to settle: None."""
        return self._settle(battle_id, arrived=None, received_at=None)

    @retry_on_conflict
    def verdict_arrived(self, battle_id: UUID, submission_id: str, received_at: datetime) -> UUID | None:
        """A verdict was recorded: it may complete a pending settlement or revise a settled one."""
        return self._settle(battle_id, arrived=submission_id, received_at=received_at)

    @retry_on_conflict
    def confirm_settlement_applied(self, settlement: UUID, revision: int) -> bool:
        found = self._get(settlement, Settlement, "settlement")
        if not found.confirm_applied(revision, self.clock()):
            return False
        self.save(found)
        return True

    @retry_on_conflict
    def report_settlement_failure(self, settlement: UUID, revision: int, reason: str) -> bool:
        found = self._get(settlement, Settlement, "settlement")
        if not found.report_failure(revision, reason, self.clock()):
            return False
        self.save(found)
        return True

    def get_settlement(self, battle_id: UUID) -> Settlement:
        return self._get(settlement_id(battle_id), Settlement, "settlement of this battle")

    def _settle(self, battle_id: UUID, arrived: str | None, received_at: datetime | None) -> UUID | None:
        battle = self._get(battle_id, Battle, "battle")
        if battle.status is not BattleStatus.ENDED:
            return None
        if received_at is not None and received_at > battle.ended_at:
            return None  # raced the end: judged, but it scores nothing and nothing waits for it
        now = self.clock()
        settlement = self._find_settlement(battle_id)
        if settlement is None:
            facts = self.facts_of(battle)
            settlement = Settlement(
                battle_id=battle_id, season=battle.settings.season or season_of(battle.ended_at),
                scoring=battle.settings.scoring, ended_at=battle.ended_at,
                wait_until=battle.ended_at + self.settle_wait, awaiting=list(facts.awaiting))
            if not settlement.is_waiting(now):
                settlement.settle(self._standings(battle, facts), list(facts.awaiting), now)
            crash_point("settlement.before_save")
            self.save(settlement)
            return settlement.id
        if arrived is not None:
            settlement.verdict_arrived(arrived)
        if settlement.is_waiting(now) or (arrived is None and settlement.status is not SettlementStatus.PENDING):
            self.save(settlement)  # at most the arrival: a repeated end or timer changes nothing
            return settlement.id
        facts = self.facts_of(battle)
        settlement.settle(self._standings(battle, facts), list(facts.awaiting), now)
        self.save(settlement)
        return settlement.id

    def _find_settlement(self, battle_id: UUID) -> Settlement | None:
        try:
            return self._get(settlement_id(battle_id), Settlement, "settlement")
        except NotFound:
            return None

    @staticmethod
    def _standings(battle: Battle, facts: BattleFacts):
        points = {slug: problem["points"] for slug, problem in battle.problems.items()}
        return standings(battle.id, battle.settings.scoring, battle.started_at, battle.ended_at, points, facts)

