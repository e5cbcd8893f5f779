"""Settlement verbs: the settlement process' commands, each idempotent.

`settle` runs on BattleEnded (and again when the wait for verdicts is over), `verdict_arrived`
on every verdict recorded after the end. The standings come from the events of the battle and
its room players (the `facts_of` reader), never from a read model that may lag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from arena.application.machinery import CommandMachinery, retry_on_conflict
from arena.crash_points import crash_point
from arena.domain.battle import Battle, BattleStatus
from arena.domain.errors import NotFound
from arena.domain.settlement import Settlement, SettlementStatus, season_of, settlement_id
from arena.domain.standings import BattleFacts, Standings, standings

FactsOf = Callable[[Battle], BattleFacts]


def the_settlement(battle_id: UUID, **_: Any) -> tuple[UUID]:
    return (settlement_id(battle_id),)


def the_settlement_itself(settlement: UUID, **_: Any) -> tuple[UUID]:
    return (settlement,)


class SettlementVerbs(CommandMachinery):
    facts_of: FactsOf
    settle_wait: timedelta

    @retry_on_conflict(locking=the_settlement)
    def settle(self, battle_id: UUID) -> UUID | None:
        """Opens the battle's settlement; while it waits for verdicts, looks again at the store
        and completes it once none is missing or the wait is over. A battle that has not ended
        (or was cancelled) has nothing to settle: None."""
        battle = self._get(battle_id, Battle, "battle")
        if battle.status is not BattleStatus.ENDED:
            return None
        now = self.clock()
        settlement = self._find_settlement(battle_id)
        if settlement is None:
            facts = self.facts_of(battle)
            settlement = Settlement(
                battle_id=battle_id, season=battle.settings.season or season_of(battle.ended_at),
                scoring=battle.settings.scoring, ended_at=battle.ended_at,
                wait_until=battle.ended_at + self.settle_wait, awaiting=list(facts.awaiting))
        elif settlement.status is SettlementStatus.PENDING:
            # A verdict recorded while the settlement was being opened may have found none to
            # arrive at: the store says which awaited submissions have their verdict by now.
            facts = self.facts_of(battle)
            for submission in settlement.awaiting - set(facts.awaiting):
                settlement.verdict_arrived(submission)
        else:
            return settlement.id  # settled: only a verdict makes a revision (a repeated end, a timer)
        if not settlement.is_waiting(now):
            settlement.settle(self._standings(battle, facts), list(facts.awaiting), now)
        crash_point("settlement.before_save")
        self.save(settlement)
        return settlement.id

    @retry_on_conflict(locking=the_settlement)
    def verdict_arrived(self, battle_id: UUID, submission_id: str, received_at: datetime,
                        judged_at: datetime) -> UUID | None:
        """A verdict was recorded. While the battle runs there is no settlement yet and this is
        one primary-key lookup (the battle is not loaded); after the end a verdict judged after
        it may complete a pending settlement or revise a settled one."""
        settlement = self._find_settlement(battle_id)
        if settlement is None or received_at > settlement.ended_at:
            return None  # not ended yet, or raced the end (judged, scores nothing, awaited by none)
        if judged_at <= settlement.ended_at:
            return None  # judged before the end: the settlement read it from the store already
        settlement.verdict_arrived(submission_id)
        if settlement.is_waiting(self.clock()):
            self.save(settlement)
            return settlement.id
        battle = self._get(battle_id, Battle, "battle")
        facts = self.facts_of(battle)
        settlement.settle(self._standings(battle, facts), list(facts.awaiting), self.clock())
        self.save(settlement)
        return settlement.id

    @retry_on_conflict(locking=the_settlement_itself)
    def confirm_settlement_applied(self, settlement: UUID, revision: int) -> bool:
        found = self._get(settlement, Settlement, "settlement")
        if not found.confirm_applied(revision, self.clock()):
            return False
        self.save(found)
        return True

    @retry_on_conflict(locking=the_settlement_itself)
    def report_settlement_failure(self, settlement: UUID, revision: int, reason: str) -> bool:
        found = self._get(settlement, Settlement, "settlement")
        if not found.report_failure(revision, reason, self.clock()):
            return False
        self.save(found)
        return True

    def get_settlement(self, battle_id: UUID) -> Settlement:
        return self._get(settlement_id(battle_id), Settlement, "settlement of this battle")

    def _find_settlement(self, battle_id: UUID) -> Settlement | None:
        try:
            return self._get(settlement_id(battle_id), Settlement, "settlement")
        except NotFound:
            return None

    @staticmethod
    def _standings(battle: Battle, facts: BattleFacts) -> Standings:
        points = {slug: problem["points"] for slug, problem in battle.problems.items()}
        return standings(battle.id, battle.settings.scoring, battle.started_at, battle.ended_at, points, facts)
