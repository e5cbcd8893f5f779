"""An event envelope survives the trip through JSON with its datetimes and UUIDs intact."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4

from arena.bus.envelope import EventEnvelope


def test_datetimes_and_uuids_in_event_data_come_back_as_themselves() -> None:
    at = datetime(2026, 11, 23, 12, 30, 15, 123456, tzinfo=timezone.utc)
    battle_id = uuid4()
    sent = EventEnvelope(
        topic="arena.domain.room_player:RoomPlayer.SubmissionReceived", originator_id=uuid4(),
        originator_version=3, timestamp=at,
        data={"received_at": at, "battle_id": battle_id, "nested": {"when": [at]}, "title": "2026-11-23"})
    received = EventEnvelope.model_validate_json(sent.model_dump_json())
    assert received == sent
    assert isinstance(received.data["received_at"], datetime)
    assert received.data["title"] == "2026-11-23"  # a string that looks like a date stays a string
