"""A page of events is delivered in one transaction; a bad event does not hold back the others."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Connection, select

from arena.bus.envelope import EventEnvelope
from arena.db.engine import make_engine
from arena.db.migrations import upgrade
from arena.db.tables import projection_tracking
from arena.projections.base import deliver_page
from arena.settings import ArenaSettings


class Recorder:
    name = "recorder"
    version = 1

    def __init__(self, poison: tuple[UUID, int] | None = None) -> None:
        self.poison = poison
        self.applied: list[tuple[UUID, int]] = []

    def apply(self, conn: Connection, event: EventEnvelope) -> None:
        if (event.originator_id, event.originator_version) == self.poison:
            raise ValueError("poisoned")
        self.applied.append((event.originator_id, event.originator_version))


def event(originator: UUID, version: int) -> EventEnvelope:
    return EventEnvelope(topic="arena.domain.battle:Battle.Configured", originator_id=originator,
                         originator_version=version, timestamp=datetime.now(timezone.utc), data={})


def no_fetch(originator: UUID, gt: int, lte: int) -> list[EventEnvelope]:
    raise AssertionError("no gap expected")


def tracked(engine, originator: UUID) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(projection_tracking.c.version).where(
            projection_tracking.c.originator_id == str(originator))).scalar()


def test_a_page_is_applied_once_even_when_delivered_twice(tmp_path: Path) -> None:
    engine = make_engine(ArenaSettings(data_dir=tmp_path))
    upgrade(engine)
    a, b = uuid4(), uuid4()
    page = [event(a, 1), event(b, 1), event(a, 2)]
    projection = Recorder()
    deliver_page(engine, projection, page, no_fetch)
    deliver_page(engine, projection, page, no_fetch)
    assert projection.applied == [(a, 1), (b, 1), (a, 2)]
    assert (tracked(engine, a), tracked(engine, b)) == (2, 1)


def test_a_poisoned_event_fails_alone_and_the_rest_of_the_page_lands(tmp_path: Path) -> None:
    engine = make_engine(ArenaSettings(data_dir=tmp_path))
    upgrade(engine)
    good, bad = uuid4(), uuid4()
    projection = Recorder(poison=(bad, 1))
    with pytest.raises(ValueError, match="poisoned"):
        deliver_page(engine, projection, [event(bad, 1), event(good, 1), event(good, 2)], no_fetch)
    assert (tracked(engine, good), tracked(engine, bad)) == (2, None)
