"""Small pure pieces of the bus: correlation headers, retry delays, header hygiene."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from arena.bus.failures import RetryPolicy
from arena.bus.envelope import EventEnvelope
from arena.bus.publish import carried_headers
from arena.bus.relay import correlation_headers


def envelope(data: dict) -> EventEnvelope:
    return EventEnvelope(topic="arena.domain.battle:Battle.Started", originator_id=uuid.uuid4(),
                         originator_version=2, timestamp=datetime.now(timezone.utc), data=data)


def test_correlation_headers_come_from_the_events_meta_when_it_has_one() -> None:
    meta = {"request_id": "r-1", "traceparent": "00-abc-def-01", "user_id": "ada"}
    assert correlation_headers(envelope({"meta": meta})) == {"request_id": "r-1", "traceparent": "00-abc-def-01"}
    assert correlation_headers(envelope({"at": "now"})) == {}


def test_retry_delays_grow_along_the_policy_and_stay_at_the_last_one() -> None:
    policy = RetryPolicy(max_attempts=6, delays=(1.0, 5.0, 30.0))
    assert [policy.delay_after(attempt) for attempt in range(1, 6)] == [1.0, 5.0, 30.0, 30.0, 30.0]


def test_headers_sent_on_drop_the_brokers_bookkeeping_and_apply_changes() -> None:
    received = {"x-death": [{}], "x-delivery-count": 2, "request_id": "r-1", "x-attempt": 1}
    assert carried_headers(received, **{"x-attempt": 2, "x-error": None}) == {
        "request_id": "r-1", "x-attempt": 2}
