"""The lease rules of an Idempotency-Key's placeholder, and the answers a command keeps (no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from arena.api.idempotency_lease import RELEASED_AT, Placeholder, outcome
from arena.application.command_keys import (
    CommandKey,
    KeyUsedForAnotherRequest,
    decode_answer,
    encode_answer,
    kept_answer_for,
)
from arena.db.command_keys import KeptCommand

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)
LEASE = timedelta(seconds=60)


def claimed(seconds_ago: float, answered: bool = False, request_hash: str = "h") -> Placeholder:
    return Placeholder(request_hash, answered, NOW - timedelta(seconds=seconds_ago))


def test_a_placeholder_within_its_lease_is_busy() -> None:
    assert outcome(claimed(0), "h", NOW, LEASE) == "busy"
    assert outcome(claimed(59.999), "h", NOW, LEASE) == "busy"


def test_a_placeholder_whose_lease_has_passed_is_stale_and_may_be_taken_over() -> None:
    assert outcome(claimed(60), "h", NOW, LEASE) == "stale"
    assert outcome(claimed(3600), "h", NOW, LEASE) == "stale"


def test_a_released_placeholder_is_stale_at_once_whatever_the_lease() -> None:
    released = Placeholder("h", False, RELEASED_AT)
    assert outcome(released, "h", NOW, timedelta(days=3650)) == "stale"


def test_an_answered_key_is_replayed_however_old() -> None:
    assert outcome(claimed(0, answered=True), "h", NOW, LEASE) == "replay"
    assert outcome(claimed(3600, answered=True), "h", NOW, LEASE) == "replay"


def test_another_request_with_the_key_is_a_mismatch_even_when_stale() -> None:
    assert outcome(claimed(0), "other", NOW, LEASE) == "mismatch"
    assert outcome(claimed(3600), "other", NOW, LEASE) == "mismatch"
    assert outcome(claimed(0, answered=True), "other", NOW, LEASE) == "mismatch"


def test_a_claim_from_a_clock_ahead_of_ours_is_still_busy() -> None:
    assert outcome(claimed(-5), "h", NOW, LEASE) == "busy"


@pytest.mark.parametrize("answer", [None, "a submission id", uuid4()])
def test_an_answer_is_kept_as_the_type_the_verb_returned(answer) -> None:
    decoded = decode_answer(encode_answer(answer))
    assert decoded == answer and type(decoded) is type(answer)


def test_an_answer_that_is_not_an_id_is_refused_before_anything_is_appended() -> None:
    with pytest.raises(TypeError):
        encode_answer({"id": 1})


def test_a_kept_command_answers_the_same_request_and_refuses_another() -> None:
    key = CommandKey("ada", "k1", request_hash="h")
    assert kept_answer_for(key, None) == (False, None)
    assert kept_answer_for(key, KeptCommand("ada", "k1", "h", encode_answer("s-1"))) == (True, "s-1")
    with pytest.raises(KeyUsedForAnotherRequest):
        kept_answer_for(key, KeptCommand("ada", "k1", "other", encode_answer("s-1")))


def test_only_the_first_command_of_a_request_takes_its_key() -> None:
    key = CommandKey("ada", "k1", request_hash="h")
    assert key.claim() is True
    assert key.claim() is False
