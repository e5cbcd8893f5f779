"""A battle's live stream: folds the battle's events in log order and says, for each, which
message goes to whom. Pure (no I/O), so the catch-up of a resuming socket (events read from
the log) and the live fan-out (events from the bus) produce the very same messages.

One event makes at most one message per socket, so positions stay strictly increasing: a
verdict goes to its owner as `verdict` (carrying the changed rows) and to everyone else as
`scoreboard`. Scoreboard rows change only with a verdict once a battle runs; a rejudge's verdict
(VerdictRevised) goes out as a verdict does, with its `rejudge` number. A player who
joins appears in `presence`, their empty row on the scoreboard read model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic

from arena.domain.battle import Battle
from arena.domain.freeze import freeze_starts, shown_attempts
from arena.domain.room_player import PlayerState, RoomPlayer
from arena.handlers.routing import LIVE_EVENTS
from arena.live.messages import BattleState, LiveMessage, Presence, Scoreboard, TestSummary, Verdict
from arena.projections.scoreboard_history import BoardFacts
from arena.projections.verdict_details import shown_score
from arena.domain.ranking import rank

_BATTLE_STATUS = {Battle.Created: "draft", Battle.LobbyOpened: "lobby", Battle.Started: "running",
                  Battle.Ended: "ended", Battle.Cancelled: "cancelled", Battle.Extended: None}
_PRESENCE = {RoomPlayer.Joined: PlayerState.PRESENT, RoomPlayer.Reconnected: PlayerState.PRESENT,
             RoomPlayer.Disconnected: PlayerState.DISCONNECTED, RoomPlayer.Left: PlayerState.LEFT,
             RoomPlayer.Completed: PlayerState.COMPLETED}
# The routing table binds each instance's live queue to these (tests/unit/live checks each is read).
TOPICS: dict[str, type] = {get_topic(cls): cls for cls in LIVE_EVENTS}


@dataclass(frozen=True)
class Outgoing:
    """A message and its audience: everyone on the battle, only one user, or all but one;
    `admins` True: only the battle's admins, False: everyone else, None: both."""

    message: LiveMessage
    only: str | None = None
    besides: str | None = None
    admins: bool | None = None

    def for_user(self, user_id: str | None, is_admin: bool = False) -> bool:
        if self.admins is not None and self.admins != is_admin:
            return False
        if self.only is not None:
            return user_id == self.only
        return self.besides is None or user_id != self.besides


@dataclass
class BattleStream:
    battle_id: str
    facts: BoardFacts = field(default_factory=BoardFacts)
    status: str = "draft"
    ends_at: datetime | None = None
    presence: dict[str, PlayerState] = field(default_factory=dict)
    players: dict[str, str] = field(default_factory=dict)  # room player id (text) -> user id
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # user -> last ranked row (admins')
    shown: dict[str, dict[str, Any]] = field(default_factory=dict)  # the same, frozen (everyone else's)
    freeze_last_s: int = 0
    position: int = 0  # the last event folded
    battle_position: int = 0  # the last event that changed status or ends_at
    presence_position: int = 0

    def apply(self, position: int, aggregate_id: str, topic: str, data: dict[str, Any]) -> list[Outgoing]:
        """Folds one event of this battle; returns its messages. Events at or before the
        position already folded are ignored (a duplicate from the bus, or one read twice)."""
        kind = TOPICS.get(topic)
        if kind is None or position <= self.position:
            return []
        self.position = position
        self.facts.apply(kind, data)
        if kind is Battle.Created:
            self.freeze_last_s = data["settings"].get("freeze_last_s", 0)
        elif kind is Battle.Configured and "freeze_last_s" in data["changes"]:
            self.freeze_last_s = data["changes"]["freeze_last_s"]
        if kind in _BATTLE_STATUS:
            return self._battle_changed(kind, position, data)
        if kind in _PRESENCE:
            if kind is RoomPlayer.Joined:
                self.players[aggregate_id] = data["user_id"]
            user = self.players.get(aggregate_id)
            if user is None:  # a room player of another battle: the hub routed it wrongly
                return []
            self.presence[user] = _PRESENCE[kind]
            self.presence_position = position
            return [Outgoing(self.presence_message())]
        if kind in (RoomPlayer.VerdictRecorded, RoomPlayer.VerdictRevised):  # a rejudge's too
            changed, shown = self._rerank()
            tests = [TestSummary(**{k: t.get(k) for k in ("index", "verdict", "time_ms", "memory_kb")})
                     for t in (data.get("details") or {}).get("tests") or [] if _is_test(t)]
            score = shown_score(data.get("details"))
            verdict = Verdict(position=position, submission_id=data["submission_id"], problem=data["problem"],
                              verdict=data["verdict"], points=data["points"], tests=tests, rows=shown,
                              score=score["score"], max_score=score["max_score"], rejudge=data.get("rejudge", 0))
            out = [Outgoing(verdict, only=data["user_id"]),
                   Outgoing(Scoreboard(position=position, rows=changed), besides=data["user_id"], admins=True)]
            if shown:  # frozen: the others learn nothing of this verdict until the end
                out.append(Outgoing(Scoreboard(position=position, rows=shown), besides=data["user_id"], admins=False))
            return out
        if kind in (Battle.Configured, Battle.ProblemAttached, Battle.ProblemDetached):
            self._rerank()  # before the start: nothing to show, but keep the rows current
        return []

    def fold(self, rows: Iterable[tuple[int, str, str, dict[str, Any]]]) -> list[Outgoing]:
        out: list[Outgoing] = []
        for position, aggregate_id, topic, data in rows:
            out += self.apply(position, aggregate_id, topic, data)
        return out

    def snapshot(self) -> list[Outgoing]:
        """The battle's state and its presence, at the positions that last changed them, in
        position order: what a socket that resumes from nothing (after = null) starts with."""
        messages = [(self.battle_position, self.battle_message()), (self.presence_position, self.presence_message())]
        return [Outgoing(m) for p, m in sorted(messages, key=lambda pm: pm[0]) if p > 0]

    def battle_message(self, rows: list[dict[str, Any]] | None = None) -> BattleState:
        return BattleState(position=self.battle_position, status=self.status, ends_at=self.ends_at, rows=rows or [])

    def presence_message(self) -> Presence:
        present = sorted(user for user, state in self.presence.items() if state is PlayerState.PRESENT)
        return Presence(position=self.presence_position, count=len(present), user_ids=present)

    def _battle_changed(self, kind: type, position: int, data: dict[str, Any]) -> list[Outgoing]:
        self.status = _BATTLE_STATUS[kind] or self.status
        if "ends_at" in data:
            self.ends_at = data["ends_at"]
        if kind in (Battle.Ended, Battle.Cancelled):
            self.ends_at = data.get("at", self.ends_at)
        self.battle_position = position
        changed, shown = self._rerank()  # the end unfreezes the board: what it revealed comes along
        if changed == shown:
            return [Outgoing(self.battle_message(changed))]
        return [Outgoing(self.battle_message(changed), admins=True), Outgoing(self.battle_message(shown), admins=False)]

    def _rerank(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Ranks the board again, whole (admins) and frozen (everyone else); returns the rows of
        each that differ from its last ranking."""
        if self.facts.scoring is None:
            return [], []
        facts = self.facts
        over = self.status in ("ended", "cancelled")
        shown_attempts_ = shown_attempts(facts.attempts, freeze_starts(self.ends_at, self.freeze_last_s), over)
        ranked = rank(facts.scoring, facts.started_at, facts.ended_at, facts.users, facts.attempts, facts.points)
        changed = [row for row in ranked if self.rows.get(row["user_id"]) != row]
        self.rows = {row["user_id"]: row for row in ranked}
        if len(shown_attempts_) != len(facts.attempts):
            ranked = rank(facts.scoring, facts.started_at, facts.ended_at, facts.users, shown_attempts_, facts.points)
        shown = [row for row in ranked if self.shown.get(row["user_id"]) != row]
        self.shown = {row["user_id"]: row for row in ranked}
        return changed, shown


def _is_test(test: Any) -> bool:
    return isinstance(test, dict) and type(test.get("index")) is int and isinstance(test.get("verdict"), str)
