"""Judging, transport-free: a submission event (SubmissionReceived, or RejudgeRequested for a
rejudge) becomes a judge request; a judge result becomes a VerdictReady message, signed by the
judge, naming which judging it answers (`rejudge`: 0 the first, n rejudge n); VerdictReady is
recorded through the application only if a judge signed it and that very judging waits for it
(idempotently), so a late result of one judging never overwrites another's.

Why signed: anyone with the broker's credentials can publish on judge.results, and a verdict
recorded is a score. HMAC-SHA256 over the canonical body with ARENA_JUDGE_KEY, a key only the
judges and the recording worker hold (arena.keyfile, docs/adr/0012).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Protocol
from uuid import UUID

import structlog
from pydantic import BaseModel, ConfigDict

from arena.bus.envelope import EventEnvelope
from arena.bus.trust import Rejected
from arena.domain.errors import NotFound
from arena.domain.room_player_errors import SupersededRejudge, UnknownRejudge, UnknownSubmission, UnknownVerdict
from arena.judge.worker import JudgeRequest, JudgeResult
from arena.problems.model import Problem

log = structlog.get_logger("arena.judge")
SUBMISSION_RECEIVED = "room_player.submission_received"
REJUDGE_REQUESTED = "room_player.rejudge_requested"


class ProblemsByHash(Protocol):
    def by_hash(self, sha256: str) -> Problem: ...


class VerdictReady(BaseModel):
    """What a judge publishes on judge.results; message_id = 'verdict:<submission_id>', and
    'verdict:<submission_id>:<n>' for rejudge n."""

    model_config = ConfigDict(extra="forbid")

    room_player_id: UUID
    submission_id: str
    verdict: str
    details: dict[str, Any]
    rejudge: int = 0  # which judging: 0 the first, n rejudge n (signed with the rest)
    signature: str = ""  # hex HMAC-SHA256 of canonical(); empty = unsigned, never recorded

    def canonical(self) -> bytes:
        """The bytes a judge signs: every field but the signature, as sorted compact JSON.
        The same on both sides, since the recorder re-derives it from the parsed message."""
        # A first judging's body leaves `rejudge` out: the bytes are those signed before rejudges
        # existed, so verdicts already on the wire stay valid.
        body = self.model_dump(mode="json", exclude={"signature"} | ({"rejudge"} if not self.rejudge else set()))
        return b"arena.verdict.v1\n" + json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()

    def signed(self, key: bytes) -> VerdictReady:
        return self.model_copy(update={"signature": _mac(key, self.canonical())})

    def wire(self) -> bytes:
        """The message body; a first judging's leaves `rejudge` out, as workers of the previous
        release (which forbid unknown fields) expect it during a rolling upgrade."""
        return self.model_dump_json(exclude=None if self.rejudge else {"rejudge"}).encode()

    @property
    def message_id(self) -> str:
        return f"verdict:{self.submission_id}" + (f":{self.rejudge}" if self.rejudge else "")

    def is_signed_with(self, key: bytes) -> bool:
        return bool(key) and hmac.compare_digest(self.signature, _mac(key, self.canonical()))


def _mac(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def judge_request(event: EventEnvelope, problems: ProblemsByHash) -> JudgeRequest:
    data = event.data
    return JudgeRequest(submission_id=data["submission_id"], language=data["language"],
                        source=data["source"], problem=problems.by_hash(data["problem_sha256"]))


def internal_error(event: EventEnvelope, detail: str) -> VerdictReady:
    """The judge's own fault (a missing problem document, a crash): IE, never the player's."""
    return VerdictReady(room_player_id=event.originator_id, submission_id=event.data["submission_id"],
                        verdict="IE", details={"detail": detail[:2000]}, rejudge=event.data.get("rejudge", 0))


_SCORE_FIELDS = {"score", "max_score", "groups"}  # a scoring problem's only


def verdict_ready(event: EventEnvelope, result: JudgeResult) -> VerdictReady:
    # A pass-fail verdict's details keep the shape they had before scoring problems existed.
    unscored = _SCORE_FIELDS if result.score is None else set()
    details = result.model_dump(mode="json", exclude={"submission_id", "verdict"} | unscored)
    return VerdictReady(room_player_id=event.originator_id, submission_id=result.submission_id,
                        verdict=result.verdict.value, details=details,
                        rejudge=event.data.get("rejudge", 0))


class RecordsVerdicts(Protocol):
    def record_verdict(self, player_id: UUID, submission_id: str, verdict: str,
                       details: dict[str, Any]) -> bool: ...

    def record_revised_verdict(self, player_id: UUID, submission_id: str, rejudge: int, verdict: str,
                               details: dict[str, Any]) -> bool: ...

    def recorded_verdict(self, player_id: UUID, submission_id: str, rejudge: int = 0) -> str | None: ...


def record_verdict(message: VerdictReady, app: RecordsVerdicts, key: bytes) -> bool:
    """Handler for judge.results: records a verdict a judge signed for a submission waiting for
    one. The same verdict again changes nothing (returns False); an unsigned or badly signed
    verdict, one for a submission (or rejudge) nobody holds, or a different second verdict of the
    same judging is Rejected (the consumer dead-letters it at once, with the reason). The result
    of a rejudge superseded by a newer one is dropped (returns False): it is late, not wrong."""
    if not message.is_signed_with(key):
        raise Rejected("bad signature")
    player, submission, rejudge = message.room_player_id, message.submission_id, message.rejudge
    try:
        if rejudge:
            recorded_now = app.record_revised_verdict(player, submission, rejudge, message.verdict,
                                                      message.details)
        else:
            recorded_now = app.record_verdict(player, submission, message.verdict, message.details)
        if recorded_now:
            return True
        recorded = app.recorded_verdict(player, submission, rejudge)
    except SupersededRejudge as exc:
        log.info("superseded rejudge verdict dropped", submission_id=submission, reason=str(exc))
        return False
    except (NotFound, UnknownSubmission, UnknownRejudge, UnknownVerdict) as exc:
        raise Rejected(f"no submission waits for this verdict: {exc}") from None
    if recorded != message.verdict:
        judging = f"rejudge {rejudge} of submission {submission}" if rejudge else f"submission {submission}"
        raise Rejected(f"{judging} already has the verdict {recorded}; "
                       f"a second, different one ({message.verdict}) is not recorded")
    return False
