"""A battle's scoreboard as it stood at a past log position or instant, recomputed from the
event store: the facts the live scoreboard stores (projections/scoreboard.py), folded from the
battle's events up to that point, ranked by the same domain function (domain.ranking.rank).

So it equals what the live scoreboard showed once its projection had applied those events.
An instant stands for every event stamped at or before it (the event's own timestamp); a
position for every event up to that notification id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic

from arena.domain.battle import Battle
from arena.domain.ranking import Attempt, rank
from arena.domain.room_player import RoomPlayer
from arena.projections.fields import FieldDecoder
from arena.projections.log_reader import Row

# the events the live scoreboard folds, and the keys it reads of each
READS: dict[type, tuple[str, ...]] = {
    Battle.Created: ("settings",), Battle.Configured: ("changes",), Battle.ProblemAttached: ("slug", "points"),
    Battle.ProblemDetached: ("slug",), Battle.Started: ("at",), Battle.Ended: ("at",), Battle.Cancelled: ("at",),
    RoomPlayer.Joined: ("user_id",),
    RoomPlayer.VerdictRecorded: ("submission_id", "user_id", "problem", "received_at", "verdict", "points"),
    RoomPlayer.VerdictRevised: ("submission_id", "user_id", "problem", "received_at", "verdict", "points"),
}
TOPICS = {get_topic(cls): cls for cls in READS}


@dataclass
class BoardFacts:
    scoring: str | None = None  # None until Battle.Created: the battle did not exist yet
    started_at: datetime | None = None
    ended_at: datetime | None = None
    points: dict[str, int] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    position: int = 0  # the last event folded

    def apply(self, kind: type, data: dict[str, Any]) -> None:
        match kind:
            case Battle.Created:
                self.scoring = data["settings"]["scoring"]
            case Battle.Configured if "scoring" in data["changes"]:
                self.scoring = data["changes"]["scoring"]
            case Battle.ProblemAttached:
                self.points[data["slug"]] = data["points"]
            case Battle.ProblemDetached:
                self.points.pop(data["slug"], None)
            case Battle.Started:
                self.started_at = data["at"]
            case Battle.Ended | Battle.Cancelled:
                self.ended_at = data["at"]
            case RoomPlayer.Joined:
                self.users.append(data["user_id"])
            case RoomPlayer.VerdictRecorded:
                self.attempts.append(Attempt(data["submission_id"], data["user_id"], data["problem"],
                                             data["received_at"], data["verdict"], data["points"]))
            case RoomPlayer.VerdictRevised:  # a rejudge: the attempt's latest verdict from then on
                revised = Attempt(data["submission_id"], data["user_id"], data["problem"],
                                  data["received_at"], data["verdict"], data["points"])
                self.attempts = [revised if a.submission_id == revised.submission_id else a
                                 for a in self.attempts]


_DECODERS = {topic: FieldDecoder(cls, READS[cls]) for topic, cls in TOPICS.items()}


def facts_until(rows: Iterable[Row], position: int | None = None, at: datetime | None = None) -> BoardFacts:
    """The facts of the events up to `position` (a notification id) and stamped up to `at`."""
    facts = BoardFacts()
    for notification_id, _, _, topic, state in rows:
        if position is not None and notification_id > position:
            break  # rows come in log order
        decode = _DECODERS.get(topic)
        if decode is None:
            continue
        timestamp, data = decode(state)
        if at is not None and timestamp > at:
            continue  # stamped later, though committed earlier: not there yet at that instant
        facts.apply(TOPICS[topic], data)
        facts.position = notification_id
    return facts


def board(battle_id: str, facts: BoardFacts) -> dict[str, Any]:
    """The scoreboard of these facts, shaped as read_scoreboard's."""
    rows = rank(facts.scoring, facts.started_at, facts.ended_at, facts.users, facts.attempts, facts.points)
    return {"battle_id": battle_id, "scoring": facts.scoring, "rows": rows}
