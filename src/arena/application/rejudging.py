"""Rejudge verbs: an admin has judged submissions judged again (docs/adr/0025).

A rejudge judges the stored source against the battle's locked problem (the hash the battle
locked in the lobby, the one the first judging used), so replacing a problem's files in the
store changes no rejudge. Its verdict comes back through judge.results like a first one and is
recorded as VerdictRevised; the scoreboard, the history and, after the end, the settlement
follow that event.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from arena.application.keys import that_room_player
from arena.application.machinery import CommandMachinery, retry_on_conflict
from arena.domain.acting import SYSTEM, Actor
from arena.domain.battle import Battle
from arena.domain.errors import NotFound
from arena.domain.room_player import RoomPlayer, room_player_id
from arena.domain.room_player_errors import UnknownSubmission

RECEIVED = get_topic(RoomPlayer.SubmissionReceived)


class RejudgeVerbs(CommandMachinery):
    @retry_on_conflict(locking=that_room_player)
    def rejudge_submission(self, player_id: UUID, submission_id: str, by: Actor) -> int:
        """Asks for a new judging of one judged submission; returns 1 (the count)."""
        player = self._get(player_id, RoomPlayer, "room player")
        battle = self._read(player.battle_id, Battle, "battle")
        battle.check_actor(by)  # 403 before anything about its submissions is told
        submission = player.submissions.get(submission_id)
        if submission is None:
            raise UnknownSubmission(f"no submission {submission_id} for this player")
        battle.check_rejudge(by, submission["problem"])
        self._request(player, battle, [submission_id], by)
        self.save(player, answer=1)
        return 1

    @retry_on_conflict
    def rejudge_problem(self, battle_id: UUID, problem: str, by: Actor) -> int:
        """Asks for a new judging of every judged submission of one problem of a battle, in one
        append; returns how many. Submissions still waiting for their first verdict are left to
        it: it judges against the same locked problem."""
        battle = self._read(battle_id, Battle, "battle")
        battle.check_rejudge(by, problem)
        players, count = [], 0
        for user in battle.players:
            player = self._get(room_player_id(battle_id, user), RoomPlayer, "room player")
            judged = [s["id"] for s in player.submissions.values()
                      if s["problem"] == problem and s["verdict"] is not None]
            if judged:
                self._request(player, battle, judged, by)
                players.append(player)
                count += len(judged)
        if players:
            self.save(*players, answer=count)
        return count

    @retry_on_conflict(locking=that_room_player)
    def record_revised_verdict(self, player_id: UUID, submission_id: str, rejudge: int, verdict: str,
                               details: dict[str, Any]) -> bool:
        """Idempotent: the same rejudge's verdict again changes nothing (returns False)."""
        player = self._get(player_id, RoomPlayer, "room player")
        battle = self._read(player.battle_id, Battle, "battle")
        submission = player.submissions.get(submission_id)  # unknown: record_revised_verdict says so
        points = battle.points_for(submission["problem"], submission["received_at"]) if submission else 0
        if not player.record_revised_verdict(submission_id, rejudge, verdict, self.clock(), details, points):
            return False
        self.save(player)
        return True

    def _request(self, player: RoomPlayer, battle: Battle, submission_ids: list[str], by: Actor) -> None:
        sources = self._sources(player.id, set(submission_ids))
        for submission_id in submission_ids:
            problem = player.submissions[submission_id]["problem"]
            player.request_rejudge(submission_id, problem_sha256=battle.problems[problem]["sha256"],
                                   source=sources[submission_id],
                                   by="system" if by is SYSTEM else by.user_id, at=self.clock())

    def _sources(self, player_id: UUID, submission_ids: set[str]) -> dict[str, str]:
        """The sources of some of a player's submissions, from their SubmissionReceived events
        (one read of the player's events; the aggregate keeps only the hashes)."""
        sources = {}
        for stored in self.recorder.select_events(player_id):
            if stored.topic == RECEIVED:
                event = self.mapper.to_domain_event(stored)
                if event.submission_id in submission_ids:
                    sources[event.submission_id] = event.source
        missing = submission_ids - sources.keys()
        if missing:
            raise NotFound(f"no stored source for submission {min(missing)}")
        return sources
