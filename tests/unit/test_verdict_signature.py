"""Issue 10, finding 8: verdicts are signed by judges with a key the API never reads."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest

from arena.handlers.judging import VerdictReady
from arena.keyfile import MissingSecret, judge_key
from arena.settings import ArenaSettings

KEY = b"k" * 32


def verdict() -> VerdictReady:
    return VerdictReady(room_player_id=uuid4(), submission_id="s1", verdict="AC",
                        details={"tests": [{"time_ms": 0.1, "memory_kb": 1024}], "note": "é"})


def test_finding_8_a_signature_survives_the_wire_and_nothing_else_does() -> None:
    signed = verdict().signed(KEY)
    received = VerdictReady.model_validate_json(signed.model_dump_json())
    assert received.is_signed_with(KEY)
    assert not received.is_signed_with(b"x" * 32)
    assert not received.model_copy(update={"verdict": "WA"}).is_signed_with(KEY)
    body = json.loads(signed.model_dump_json())
    body["details"]["tests"][0]["time_ms"] = 0.2
    assert not VerdictReady.model_validate(body).is_signed_with(KEY)


def test_finding_8_unsigned_or_keyless_is_never_signed() -> None:
    assert not verdict().is_signed_with(KEY)
    assert not verdict().signed(b"").is_signed_with(b"")


def test_finding_8_the_judge_key_is_set_or_made_per_data_dir_when_embedded(tmp_path: Path) -> None:
    assert judge_key(ArenaSettings(judge_key="s" * 32)) == b"s" * 32
    embedded = judge_key(ArenaSettings(data_dir=tmp_path))
    assert embedded == judge_key(ArenaSettings(data_dir=tmp_path)) and len(embedded) >= 32
    assert (tmp_path / "judge-key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(MissingSecret, match="ARENA_JUDGE_KEY"):
        judge_key(ArenaSettings(data_dir=tmp_path, broker_url="amqp://x"))


def test_a_rejudge_number_is_signed_and_a_first_verdict_signs_the_bytes_it_signed_before_rejudges() -> None:
    first = verdict()
    body = first.model_dump(mode="json", exclude={"signature", "rejudge"})
    before = b"arena.verdict.v1\n" + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    assert first.canonical() == before  # verdicts signed by a judge of the previous release still verify
    rejudged = first.model_copy(update={"rejudge": 2}).signed(KEY)
    assert rejudged.is_signed_with(KEY)
    assert not rejudged.model_copy(update={"rejudge": 1}).is_signed_with(KEY)  # one judging's result never passes for another's
    assert (first.message_id, rejudged.message_id) == ("verdict:s1", "verdict:s1:2")
    assert "rejudge" not in json.loads(first.signed(KEY).wire())  # what a previous release's worker accepts
    assert VerdictReady.model_validate_json(rejudged.wire()).is_signed_with(KEY)


def test_a_scored_verdict_carries_its_score_and_groups_and_a_pass_fail_one_keeps_its_old_shape() -> None:
    from datetime import datetime, timezone

    from arena.bus.envelope import EventEnvelope
    from arena.handlers.judging import verdict_ready
    from arena.judge.runner import JudgeResult
    from arena.judge.scoring import GroupScore

    event = EventEnvelope(topic="t", originator_id=uuid4(), originator_version=2,
                          timestamp=datetime.now(timezone.utc), data={})
    plain = verdict_ready(event, JudgeResult(submission_id="s1", verdict="AC"))
    scored = verdict_ready(event, JudgeResult(submission_id="s2", verdict="WA", score=40, max_score=100,
                                              groups=[GroupScore(group="secret/a", verdict="WA", score=0, max_score=50)]))
    assert not {"score", "max_score", "groups"} & set(plain.details)
    assert (scored.details["score"], scored.details["max_score"]) == (40, 100)
    assert scored.details["groups"] == [{"group": "secret/a", "verdict": "WA", "score": 0.0, "max_score": 50.0}]
