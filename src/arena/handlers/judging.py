"""Judging, transport-free: a submission event becomes a judge request; a judge result becomes a
VerdictReady message; VerdictReady is recorded through the application (idempotently)."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from arena.bus.envelope import EventEnvelope
from arena.judge.worker import JudgeRequest, JudgeResult
from arena.problems.model import Problem

SUBMISSION_RECEIVED = "room_player.submission_received"


class ProblemsByHash(Protocol):
    def by_hash(self, sha256: str) -> Problem: ...


class VerdictReady(BaseModel):
    """What a judge publishes on judge.results; message_id = 'verdict:<submission_id>'."""

    model_config = ConfigDict(extra="forbid")

    room_player_id: UUID
    submission_id: str
    verdict: str
    details: dict[str, Any]


def judge_request(event: EventEnvelope, problems: ProblemsByHash) -> JudgeRequest:
    data = event.data
    return JudgeRequest(submission_id=data["submission_id"], language=data["language"],
                        source=data["source"], problem=problems.by_hash(data["problem_sha256"]))


def internal_error(event: EventEnvelope, detail: str) -> VerdictReady:
    """The judge's own fault (a missing problem document, a crash): IE, never the player's."""
    return VerdictReady(room_player_id=event.originator_id, submission_id=event.data["submission_id"],
                        verdict="IE", details={"detail": detail[:2000]})


def verdict_ready(event: EventEnvelope, result: JudgeResult) -> VerdictReady:
    details = result.model_dump(mode="json", exclude={"submission_id", "verdict"})
    return VerdictReady(room_player_id=event.originator_id, submission_id=result.submission_id,
                        verdict=result.verdict.value,
                        details=details)


class RecordsVerdicts(Protocol):
    def record_verdict(self, player_id: UUID, submission_id: str, verdict: str,
                       details: dict[str, Any]) -> bool: ...


def record_verdict(message: VerdictReady, app: RecordsVerdicts) -> bool:
    """Handler for judge.results: a repeat of the same verdict changes nothing."""
    return app.record_verdict(message.room_player_id, message.submission_id, message.verdict,
                              message.details)
