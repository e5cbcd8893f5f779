"""Routing keys and idempotency keys derived from the event envelope."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from arena.bus.envelope import EventEnvelope, routing_key


def test_a_topic_becomes_a_snake_case_aggregate_dot_event_routing_key() -> None:
    assert routing_key("arena.domain.battle:Battle.Started") == "battle.started"
    assert routing_key("arena.domain.room_player:RoomPlayer.Disconnected") == "room_player.disconnected"
    assert routing_key("arena.domain.battle:Battle.LobbyOpened") == "battle.lobby_opened"


def test_the_idempotency_key_is_originator_id_and_version() -> None:
    originator = uuid.uuid4()
    envelope = EventEnvelope(topic="arena.domain.battle:Battle.Started", originator_id=originator,
                             originator_version=3, timestamp=datetime.now(timezone.utc), data={})
    assert envelope.idempotency_key == f"{originator}:3"
    assert envelope.routing_key == "battle.started"


def test_an_envelope_survives_a_json_round_trip() -> None:
    envelope = EventEnvelope(
        notification_id=7, topic="arena.domain.battle:Battle.Started", originator_id=uuid.uuid4(),
        originator_version=3, timestamp=datetime.now(timezone.utc), data={"by": "admin"})
    assert EventEnvelope.model_validate_json(envelope.model_dump_json()) == envelope


@pytest.mark.parametrize("bad", [{"$datetime": 5}, {"$datetime": "yesterday"}, {"$uuid": 7},
                                 {"$uuid": "not-a-uuid"}, {"$datetime": None}, {"$uuid": [1]}])
def test_finding_8_every_bad_tag_in_data_is_a_validation_error(bad: dict) -> None:
    body = {"topic": "arena.domain.battle:Battle.Started", "originator_id": str(uuid.uuid4()),
            "originator_version": 1, "timestamp": "2026-12-01T18:00:00+00:00", "data": {"at": bad}}
    with pytest.raises(ValidationError, match="does not decode"):
        EventEnvelope.model_validate_json(json.dumps(body))


def test_finding_8_data_nested_too_deep_is_a_validation_error() -> None:
    data: dict = {}
    for _ in range(5000):
        data = {"a": [data]}
    body = {"topic": "arena.domain.battle:Battle.Started", "originator_id": str(uuid.uuid4()),
            "originator_version": 1, "timestamp": "2026-12-01T18:00:00+00:00", "data": data}
    with pytest.raises(ValidationError):
        EventEnvelope.model_validate({**body})
