"""RoomPlayer: one per (battle, user), never deleted; its presence, submissions and verdicts.

A submission's first verdict is VerdictRecorded. An admin may have it judged again (a rejudge,
docs/adr/0025): RejudgeRequested numbers each new judging (1, 2, ...) and carries the stored
source to the judge like SubmissionReceived does; its result is VerdictRevised, recorded beside
the first verdict (history kept), and becomes the submission's current verdict. Only the latest
rejudge's result is recorded: a superseded one's comes too late to count.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from arena.domain.copying import CopiesCheaply
from arena.domain.errors import InvalidInput
from arena.domain.ranking import scored_points
from arena.domain.room_player_errors import (DuplicateSubmission, NotJudgedYet, SupersededRejudge, UnknownRejudge,
                                             UnknownSubmission, UnknownVerdict, WrongPlayerState)

VERDICTS = frozenset({"AC", "WA", "TLE", "MLE", "RE", "CE", "OLE", "IE"})


class PlayerState(str, Enum):
    PRESENT = "PRESENT"
    DISCONNECTED = "DISCONNECTED"
    LEFT = "LEFT"
    COMPLETED = "COMPLETED"


def room_player_id(battle_id: UUID, user_id: str) -> UUID:
    return uuid5(battle_id, user_id)


class RoomPlayer(CopiesCheaply, Aggregate):
    _flat = frozenset({"solved"})  # problem -> points
    _flat_rows = frozenset({"submissions"})  # id -> {plain values}: copied two levels deep

    @staticmethod
    def create_id(battle_id: UUID, user_id: str, at: datetime) -> UUID:
        return room_player_id(battle_id, user_id)

    @event("Joined")
    def __init__(self, battle_id: UUID, user_id: str, at: datetime) -> None:
        self.battle_id = battle_id
        self.user_id = user_id
        self.joined_at = at
        self.last_seen = at
        self.state = PlayerState.PRESENT
        self.disconnected_at: datetime | None = None
        self.submissions: dict[str, dict[str, Any]] = {}  # id -> submission, in arrival order
        self.solved: dict[str, int] = {}  # problem -> points of its first accepted verdict

    @property
    def score(self) -> int:
        return sum(self.solved.values())

    @event("Disconnected")
    def disconnect(self, at: datetime) -> None:
        self._check_state("disconnect", PlayerState.PRESENT)
        self.state = PlayerState.DISCONNECTED
        self.disconnected_at = at
        self.last_seen = at

    @event("Reconnected")
    def reconnect(self, at: datetime) -> None:
        self._check_state("reconnect", PlayerState.DISCONNECTED, PlayerState.LEFT)
        self.state = PlayerState.PRESENT
        self.disconnected_at = None
        self.last_seen = at

    def is_away_since(self, disconnected_at: datetime) -> bool:
        """True while the player has not come back since that very disconnect."""
        return self.state is PlayerState.DISCONNECTED and self.disconnected_at == disconnected_at

    @event("Left")
    def leave(self, at: datetime) -> None:
        self._check_state("mark as left", PlayerState.DISCONNECTED)
        self.state = PlayerState.LEFT

    @event("Completed")
    def complete(self, at: datetime) -> None:
        self._check_state("complete", PlayerState.PRESENT)
        self.state = PlayerState.COMPLETED

    def submit(self, submission_id: str, problem: str, problem_sha256: str, language: str,
               source: str, source_sha256: str, received_at: datetime) -> None:
        self._check_not_completed()
        if not source.strip():
            raise InvalidInput("source", "the source is empty")
        if submission_id in self.submissions:
            raise DuplicateSubmission(f"submission {submission_id} was already received")
        # battle and user travel in the event so that consumers need no other lookup
        self._submission_received(
            submission_id=submission_id, battle_id=self.battle_id, user_id=self.user_id,
            problem=problem, problem_sha256=problem_sha256, language=language, source=source,
            source_sha256=source_sha256, received_at=received_at,
        )

    @event("SubmissionReceived")
    def _submission_received(self, submission_id: str, battle_id: UUID, user_id: str, problem: str,
                             problem_sha256: str, language: str, source: str, source_sha256: str,
                             received_at: datetime) -> None:
        self.submissions[submission_id] = {
            "id": submission_id, "problem": problem, "language": language,
            "source_sha256": source_sha256, "received_at": received_at,
            "verdict": None, "points": None, "judged_at": None,
        }
        self.last_seen = received_at

    def has_verdict(self, submission_id: str) -> bool:
        return self._submission(submission_id)["verdict"] is not None

    def record_verdict(self, submission_id: str, verdict: str, judged_at: datetime,
                       details: dict[str, Any], problem_points: int) -> bool:
        """Records the first verdict of a submission; a repeat is a no-op (returns False)."""
        if verdict not in VERDICTS:
            raise UnknownVerdict(f"unknown verdict {verdict!r}")
        submission = self._submission(submission_id)
        if submission["verdict"] is not None:
            return False
        first_accept = verdict == "AC" and submission["problem"] not in self.solved
        # a scored submission below the full score earns its share (ranking.scored_points)
        points = problem_points if first_accept else (
            scored_points(problem_points, details) if verdict != "AC" else 0)
        self._verdict_recorded(
            submission_id=submission_id, battle_id=self.battle_id, user_id=self.user_id,
            problem=submission["problem"], received_at=submission["received_at"], verdict=verdict,
            judged_at=judged_at, details=details, points=points,
        )
        return True

    @event("VerdictRecorded")
    def _verdict_recorded(self, submission_id: str, battle_id: UUID, user_id: str, problem: str,
                          received_at: datetime, verdict: str, judged_at: datetime,
                          details: dict[str, Any], points: int) -> None:
        submission = self.submissions[submission_id]
        submission.update(verdict=verdict, points=points, judged_at=judged_at)
        if verdict == "AC" and problem not in self.solved:
            self.solved[problem] = points

    def request_rejudge(self, submission_id: str, problem_sha256: str, source: str, by: str,
                        at: datetime) -> int:
        """Asks for a new judging of a judged submission's stored source; returns its number.
        `problem_sha256` is the battle's locked problem, `source` the SubmissionReceived's."""
        submission = self._submission(submission_id)
        if submission["verdict"] is None:
            raise NotJudgedYet(f"submission {submission_id} has no verdict yet: it is still being judged")
        rejudge = len(submission.get("rejudged", ())) + 1
        self._rejudge_requested(
            submission_id=submission_id, battle_id=self.battle_id, user_id=self.user_id,
            problem=submission["problem"], problem_sha256=problem_sha256,
            language=submission["language"], source=source, rejudge=rejudge, requested_by=by, at=at)
        return rejudge

    @event("RejudgeRequested")
    def _rejudge_requested(self, submission_id: str, battle_id: UUID, user_id: str, problem: str,
                           problem_sha256: str, language: str, source: str, rejudge: int,
                           requested_by: str, at: datetime) -> None:
        submission = self.submissions[submission_id]
        # a tuple, replaced and never changed in place: rows are copied one level deep (copying.py)
        submission["rejudged"] = (*submission.get("rejudged", ()), None)

    def record_revised_verdict(self, submission_id: str, rejudge: int, verdict: str, judged_at: datetime,
                               details: dict[str, Any], problem_points: int) -> bool:
        """Records the verdict of a rejudge; a repeat is a no-op (returns False). `problem_points`:
        what an accept of this submission is worth (Battle.points_for)."""
        if verdict not in VERDICTS:
            raise UnknownVerdict(f"unknown verdict {verdict!r}")
        submission = self._submission(submission_id)
        rejudged = submission.get("rejudged", ())
        if not 1 <= rejudge <= len(rejudged):
            raise UnknownRejudge(f"submission {submission_id} has no rejudge {rejudge}")
        if rejudged[rejudge - 1] is not None:
            return False
        if rejudge < len(rejudged):
            raise SupersededRejudge(f"rejudge {rejudge} of submission {submission_id} was superseded "
                                    f"by rejudge {len(rejudged)}")
        solved_after = verdict == "AC" or self._accepted_elsewhere(submission)
        self._verdict_revised(
            submission_id=submission_id, battle_id=self.battle_id, user_id=self.user_id,
            problem=submission["problem"], received_at=submission["received_at"], rejudge=rejudge,
            verdict=verdict, judged_at=judged_at, details=details,
            points=self._points_held_by(submission, verdict, problem_points, details),
            previous_verdict=submission["verdict"], previous_points=submission["points"] or 0,
            score_change=(problem_points if solved_after else 0) - self.solved.get(submission["problem"], 0))
        return True

    @event("VerdictRevised")
    def _verdict_revised(self, submission_id: str, battle_id: UUID, user_id: str, problem: str,
                         received_at: datetime, rejudge: int, verdict: str, judged_at: datetime,
                         details: dict[str, Any], points: int, previous_verdict: str,
                         previous_points: int, score_change: int | None = None) -> None:
        # score_change: the change in solved points (the room's score); None in events of older
        # releases, which summed the accepts' points (ADR 25's addendum says why that was wrong)
        submission = self.submissions[submission_id]
        rejudged = list(submission["rejudged"])
        rejudged[rejudge - 1] = verdict
        submission.update(verdict=verdict, points=points, judged_at=judged_at, rejudged=tuple(rejudged),
                          first_verdict=submission.get("first_verdict", previous_verdict))
        accepted = [s["points"] or 0 for s in self.submissions.values()
                    if s["problem"] == problem and s["verdict"] == "AC"]
        if not accepted:
            self.solved.pop(problem, None)
        elif score_change is None:
            self.solved[problem] = sum(accepted)
        else:
            self.solved[problem] = self.solved.get(problem, 0) + score_change

    def verdict_of(self, submission_id: str, rejudge: int = 0) -> str | None:
        """The verdict of one judging (0: the first) of a submission; None while it waits for it."""
        submission = self._submission(submission_id)
        if rejudge == 0:
            return submission.get("first_verdict", submission["verdict"])
        rejudged = submission.get("rejudged", ())
        return rejudged[rejudge - 1] if 1 <= rejudge <= len(rejudged) else None

    def _points_held_by(self, submission: dict[str, Any], verdict: str, problem_points: int,
                        details: dict[str, Any]) -> int:
        """An accept earns the problem's points unless another submission of the problem holds
        them already, so a player's points (the room's score) count each problem once; the
        ranking scores a problem by its first accept in submission time whatever they say. A
        scored submission below the full score earns its share, as a first verdict does."""
        if verdict != "AC":
            return scored_points(problem_points, details)
        return 0 if self._accepted_elsewhere(submission) else problem_points

    def _accepted_elsewhere(self, submission: dict[str, Any]) -> bool:
        """Whether another submission of the same problem holds an accept: the problem stays solved."""
        return any(s["verdict"] == "AC" for s in self.submissions.values()
                   if s["problem"] == submission["problem"] and s is not submission)

    def _submission(self, submission_id: str) -> dict[str, Any]:
        try:
            return self.submissions[submission_id]
        except KeyError:
            raise UnknownSubmission(f"no submission {submission_id} for this player") from None

    def _check_state(self, action: str, *allowed: PlayerState) -> None:
        if self.state not in allowed:
            raise WrongPlayerState(f"cannot {action} a player who is {self.state.value}")

    def _check_not_completed(self) -> None:
        if self.state is PlayerState.COMPLETED:
            raise WrongPlayerState("cannot submit: the player has completed the battle")
