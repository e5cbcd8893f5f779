"""Submission verbs: a player submits code; a judge's verdict is recorded (idempotently)."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic

from arena.application.keys import that_room_player, the_room_player
from arena.application.machinery import CommandMachinery, retry_on_conflict
from arena.domain.battle import Battle
from arena.domain.errors import NotFound
from arena.domain.room_player import RoomPlayer, room_player_id


class SubmissionVerbs(CommandMachinery):
    # A player's tabs queue on their room player; players of one battle never wait for each other
    # (the battle is only read, and the append checks that read).
    @retry_on_conflict(locking=the_room_player)
    def submit(self, battle_id: UUID, user_id: str, problem: str, language: str, source: str) -> str:
        battle = self._read(battle_id, Battle, "battle")
        battle.check_submission(user_id, problem, language)
        player = self._get(room_player_id(battle_id, user_id), RoomPlayer, "player in this battle")
        submission_id = str(uuid4())
        player.submit(
            submission_id=submission_id, problem=problem,
            problem_sha256=battle.problems[problem]["sha256"], language=language, source=source,
            source_sha256=hashlib.sha256(source.encode()).hexdigest(), received_at=self.clock(),
        )
        self.save(player, answer=submission_id)  # kept with the events under an Idempotency-Key
        return submission_id

    @retry_on_conflict(locking=that_room_player)
    def record_verdict(self, player_id: UUID, submission_id: str, verdict: str,
                       details: dict[str, Any]) -> bool:
        """Idempotent: a second verdict for the same submission changes nothing (returns False)."""
        player = self._get(player_id, RoomPlayer, "room player")
        battle = self._read(player.battle_id, Battle, "battle")
        submission = player.submissions.get(submission_id)  # unknown: record_verdict says so
        points = battle.points_for(submission["problem"], submission["received_at"]) if submission else 0
        if not player.record_verdict(submission_id, verdict, self.clock(), details, points):
            return False
        self.save(player)
        return True

    def recorded_verdict(self, player_id: UUID, submission_id: str) -> str | None:
        """The verdict recorded for a submission; None while it waits for one. Raises NotFound
        or UnknownSubmission when no such room player holds that submission."""
        player = self._get(player_id, RoomPlayer, "room player")
        return player.submissions[submission_id]["verdict"] if player.has_verdict(submission_id) else None

    def submission_source(self, player_id: UUID, submission_id: str) -> str:
        """The source code of a submission, from its SubmissionReceived event: the aggregate
        keeps only its hash, and no read model holds code."""
        received = get_topic(RoomPlayer.SubmissionReceived)
        for stored in self.recorder.select_events(player_id):
            if stored.topic == received:
                event = self.mapper.to_domain_event(stored)
                if event.submission_id == submission_id:
                    return event.source
        raise NotFound(f"no submission with id {submission_id}")
