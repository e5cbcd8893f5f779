"""Rebuilds decode only the fields a handler reads, and must see exactly what live delivery sees."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.projections.fields import FieldDecoder
from arena.projections.folding import FoldingProjection, folds
from arena.projections.log_reader import decode_state
from arena.projections.registry import live_projections

TRANSCODER = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper.transcoder
AT = datetime(2025, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))


class Sample(Aggregate):
    class Happened(Aggregate.Event):
        at: datetime
        battle_id: uuid.UUID
        maybe_at: datetime | None
        ratio: Decimal
        points: int
        user_id: str
        details: dict[str, Any]
        tags: list[Any]


def state(**values: Any) -> bytes:
    return TRANSCODER.encode({"timestamp": datetime.now(timezone.utc), **values})


FULL = dict(at=AT, battle_id=uuid.uuid4(), maybe_at=None, ratio=Decimal("1.5"), points=100, user_id="ada",
            details={"tests": [{"at": AT, "ms": 3}], "id": uuid.uuid4()}, tags=[AT, "x"], source="x" * 10_000)


def test_the_declared_fields_decode_to_what_the_whole_state_decodes_to() -> None:
    stored = state(**FULL)
    keys = ("at", "battle_id", "maybe_at", "ratio", "points", "user_id", "details", "tags")

    timestamp, data = FieldDecoder(Sample.Happened, keys)(stored)

    whole = decode_state(stored)
    assert timestamp == whole.pop("timestamp")
    assert data == {key: whole[key] for key in keys}
    assert [type(data[key]) for key in keys] == [type(whole[key]) for key in keys]
    assert "source" not in data  # never read, never built


def test_an_optional_datetime_that_is_set_decodes_too() -> None:
    _, data = FieldDecoder(Sample.Happened, ("maybe_at",))(state(**{**FULL, "maybe_at": AT}))
    assert data == {"maybe_at": AT}


def test_a_state_of_another_shape_falls_back_to_decoding_it_all() -> None:
    mistyped = state(**{**FULL, "points": "many"})  # e.g. an older version of the event
    missing = state(**{k: v for k, v in FULL.items() if k != "user_id"})

    for stored in (mistyped, missing):
        timestamp, data = FieldDecoder(Sample.Happened, ("points", "user_id"))(stored)
        whole = decode_state(stored)
        assert (timestamp, data) == (whole.pop("timestamp"), whole)


def test_values_are_the_declared_fields_in_order_without_the_timestamp() -> None:
    keys = ("user_id", "at", "battle_id", "maybe_at", "ratio", "points", "details", "tags")
    stored = state(**FULL)

    values = FieldDecoder(Sample.Happened, keys).values(stored)

    whole = decode_state(stored)
    assert values == tuple(whole[key] for key in keys)
    assert [type(value) for value in values] == [type(whole[key]) for key in keys]


def test_values_of_a_state_of_another_shape_come_from_decoding_it_all() -> None:
    mistyped = state(**{**FULL, "points": "many"})
    missing = state(**{k: v for k, v in FULL.items() if k != "user_id"})

    assert FieldDecoder(Sample.Happened, ("points", "user_id")).values(mistyped) == ("many", "ada")
    assert FieldDecoder(Sample.Happened, ("points", "user_id")).values(missing) == (100, None)


def test_handlers_declare_the_topics_a_projection_reads() -> None:
    class Counting(FoldingProjection):
        @folds(RoomPlayer.Joined, "user_id")
        @folds(RoomPlayer.Left)
        def counted(self, writers, event) -> None:
            pass

    assert set(Counting().topics) == {get_topic(RoomPlayer.Joined), get_topic(RoomPlayer.Left)}


def test_every_battle_event_moves_the_catalog() -> None:
    """The catalog's rule is 'every event of a battle': a new event class needs its handler."""
    (catalog,) = (p for p in live_projections() if p.name == "battles")
    events = {get_topic(cls) for cls in vars(Battle).values()
              if isinstance(cls, type) and issubclass(cls, Aggregate.Event) and cls is not Battle.Event}
    assert set(catalog.topics) == events


def test_every_handler_reads_fields_its_event_has() -> None:
    for projection in live_projections():
        for topic, (_, event_class, reads) in projection._handlers.items():
            fields = set(event_class.__annotations__) | {
                name for cls in event_class.__mro__ for name in getattr(cls, "__annotations__", {})}
            assert set(reads) <= fields, (projection.name, topic)
