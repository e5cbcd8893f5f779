"""The settlement process, transport-free: what each event it is routed asks of it.

- battle.ended: settle (opens the settlement; settles at once unless verdicts are awaited).
- room_player.verdict_recorded, room_player.verdict_revised (a rejudge's): a verdict after the
  end completes a pending settlement or revises a settled one (the application decides;
  verdicts during the battle change nothing).
- settlement.settled: apply the revision to the ledger and the season leaderboard (one
  transaction with the ledger's tracking row), then confirm it on the Settlement; if applying
  fails, say so on the Settlement and raise, so that the transport retries.
A revision settled by the first two is applied at once, read back from the store: its copy on
the bus (a relay, a broker and a check against the store later) then finds it applied. If that
fails, the copy's delivery retries it, as it would have anyway.
Every step is idempotent: a repeated or replayed event changes nothing.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

import structlog
from sqlalchemy import Engine

from arena.application.locks import AggregateLocks
from arena.bus.envelope import EventEnvelope
from arena.crash_points import crash_point
from arena.domain.settlement import Settlement, SettlementStatus
from arena.gc_paused import gc_paused
from arena.projections.base import FetchEvents, deliver
from arena.projections.ledger import Ledger
from arena.projections.ratings import Ratings, catch_up

log = structlog.get_logger("arena.settlement")

# One apply of a settlement at a time in this process: the revision applied at once and its
# copy from the bus would otherwise both write 50,000 rows before one of them lost on the key.
_APPLYING = AggregateLocks(stripes=64, wait_s=60.0)


class Settles(Protocol):
    def settle(self, battle_id: UUID) -> UUID | None: ...
    def verdict_arrived(self, battle_id: UUID, submission_id: str, received_at: Any,
                        judged_at: Any) -> UUID | None: ...
    def confirm_settlement_applied(self, settlement: UUID, revision: int) -> bool: ...
    def report_settlement_failure(self, settlement: UUID, revision: int, reason: str) -> bool: ...
    def get_settlement(self, battle_id: UUID) -> Settlement: ...


class SettlementProcess:
    def __init__(self, app: Settles, engine: Engine, fetch: FetchEvents) -> None:
        self.app, self.engine, self.fetch = app, engine, fetch
        self.ledger = Ledger()

    def __call__(self, event: EventEnvelope) -> None:
        with gc_paused():  # a big battle's standings are hundreds of thousands of small objects
            self._handle(event)

    def _handle(self, event: EventEnvelope) -> None:
        data = event.data
        match event.routing_key:
            case "battle.ended":
                if self.app.settle(event.originator_id) is not None:
                    crash_point("settlement.after_save")  # stored, not yet in the ledger, not acked
                    self.apply_settled(event.originator_id)
            case "room_player.verdict_recorded" | "room_player.verdict_revised":
                if self.app.verdict_arrived(data["battle_id"], data["submission_id"], data["received_at"],
                                            data["judged_at"]) is not None:
                    self.apply_settled(UUID(str(data["battle_id"])))
            case "settlement.settled":
                self.apply(event)

    def apply_settled(self, battle_id: UUID) -> None:
        """Applies the battle's latest revision if it is settled and not applied yet."""
        settlement = self.app.get_settlement(battle_id)
        if settlement.status is not SettlementStatus.SETTLED:
            return  # waiting for verdicts, applied already, or failed (its copy retries it)
        settled = self.fetch(settlement.id, settlement.version - 1, settlement.version)[-1]
        try:
            self.apply(settled)
        except Exception as exc:  # said on the Settlement by apply; the copy's delivery retries
            log.warning("settlement not applied at once", battle_id=str(battle_id), error=repr(exc))

    def apply(self, event: EventEnvelope) -> None:
        revision = event.data["revision"]
        with _APPLYING.hold([event.originator_id]):
            try:
                deliver(self.engine, self.ledger, event, self.fetch)
            except Exception as exc:
                self.app.report_settlement_failure(event.originator_id, revision, f"{type(exc).__name__}: {exc}")
                raise
            if self.app.confirm_settlement_applied(event.originator_id, revision):
                log.info("settlement applied", battle_id=str(event.data["battle_id"]), revision=revision,
                         result_hash=event.data["result_hash"])
        crash_point("settlement.after_ledger")  # in the ledger, not acked


class RatingsStep:
    """Ratings, after the ledger and apart from it: a slow rating never holds the ledger back."""

    def __init__(self, engine: Engine, app: Any) -> None:
        self.engine, self.app, self.projection = engine, app, Ratings()

    def __call__(self, event: EventEnvelope) -> None:
        with gc_paused():
            rated = catch_up(self.engine, self.app, self.projection)
        if rated:
            log.info("ratings applied", battles=rated)
