"""The one message shape every event travels in, on the local bus and on RabbitMQ alike."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, field_serializer, field_validator

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def routing_key(topic: str) -> str:
    """'arena.domain.battle:Battle.Started' -> 'battle.started'."""
    qualname = topic.split(":", 1)[1]
    aggregate, _, event = qualname.rpartition(".")
    return f"{snake(aggregate)}.{snake(event)}"


class EventEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    notification_id: int | None = None  # position in the log; None when fetched per aggregate
    topic: str
    originator_id: UUID
    originator_version: int
    timestamp: datetime
    data: dict[str, Any]  # the event's own fields, decoded (datetimes, UUIDs)

    # JSON has no datetime or UUID: tag them on the wire, untag on arrival, so that consumers see
    # the same Python values whether an event came through the local bus or through RabbitMQ.
    @field_serializer("data", when_used="json")
    def _tagged(self, data: dict[str, Any]) -> dict[str, Any]:
        return _tag(data)

    @field_validator("data", mode="before")
    @classmethod
    def _untagged(cls, data: Any) -> Any:
        # Every way a tag can be wrong ({"$datetime": 5}, a bad UUID, nesting deep enough to
        # exhaust the stack) must surface as a ValidationError: the consumer dead-letters those
        # at once, whereas any other exception would be retried until the delivery limit.
        try:
            return _untag(data)
        except (TypeError, ValueError, AttributeError, OverflowError, RecursionError) as exc:
            raise ValueError(f"a tagged value in data does not decode: {type(exc).__name__}: {exc}") from None

    @property
    def idempotency_key(self) -> str:
        return f"{self.originator_id}:{self.originator_version}"

    @property
    def routing_key(self) -> str:
        return routing_key(self.topic)

    @property
    def event_name(self) -> str:
        return self.topic.rsplit(".", 1)[1]


# Values that need no tag, checked by exact type first: a settlement's 50,000-element lists of
# user ids and ranks would otherwise cost a function call per element, both ways.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _tag(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, UUID):
        return {"$uuid": str(value)}
    if isinstance(value, dict):
        return {key: _tag(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [item if type(item) in _PLAIN else _tag(item) for item in value]
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            if "$datetime" in value:
                return datetime.fromisoformat(value["$datetime"])
            if "$uuid" in value:
                return UUID(value["$uuid"])
        return {key: _untag(item) for key, item in value.items()}
    if isinstance(value, list):
        return [item if type(item) in _PLAIN else _untag(item) for item in value]
    return value


def envelope_from_stored(stored: Any, transcoder: Any, notification_id: int | None = None) -> EventEnvelope:
    """A stored event (or notification) as an envelope, without rebuilding the event object.

    Decoding the JSON state directly is several times faster than the mapper's full event
    reconstruction, which matters when a projection is rebuilt from the whole log.
    """
    data = transcoder.decode(stored.state)
    return EventEnvelope(
        notification_id=notification_id if notification_id is not None else getattr(stored, "id", None),
        topic=stored.topic,
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        timestamp=data.pop("timestamp"),
        data=data,
    )
