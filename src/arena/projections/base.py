"""A projection applies events to its tables; `deliver` makes that idempotent and gap-free.

The idempotency key of an event is `<originator_id>:<originator_version>`. Per projection and
aggregate we keep the last applied version in `projection_tracking`, written in the same
transaction as the view, so redelivery and replays change nothing, and an event that arrives
ahead of a gap makes us read the missing ones from the event store instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol
from uuid import UUID

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from arena.bus.envelope import EventEnvelope
from arena.db.tables import projection_tracking

FetchEvents = Callable[[UUID, int, int], Sequence[EventEnvelope]]  # (id, gt, lte) -> events


class Projection(Protocol):
    name: str
    version: int

    def apply(self, conn: Connection, event: EventEnvelope) -> None:
        """Changes the view for one event; ignores events it has no use for."""


def deliver(engine: Engine, projection: Projection, event: EventEnvelope, fetch: FetchEvents) -> bool:
    """Applies the event (and any missing predecessors) once. Returns False for a duplicate."""
    for attempt in range(3):
        try:
            with engine.begin() as conn:
                return _deliver_page(conn, projection, (event,), fetch)
        except IntegrityError:  # two deliveries created the same first tracking row at once
            if attempt == 2:
                raise
    return False


def deliver_page(engine: Engine, projection: Projection, events: Sequence[EventEnvelope],
                 fetch: FetchEvents) -> None:
    """Delivers a page of the log in ONE transaction: the tracking rows of its aggregates read
    (and locked) in one statement and written back once each, and a folding projection's
    writes flushed once for the page, as a rebuild's page is (writer.py says why that is
    exact). If anything in it fails, falls back to one transaction per event so that the good
    events still land and the failure is raised for the event that caused it."""
    try:
        with engine.begin() as conn:
            _deliver_page(conn, projection, events, fetch)
        return
    except Exception:
        pass
    failures = []
    for event in events:
        try:
            deliver(engine, projection, event, fetch)
        except Exception as exc:  # keep going: the events after a bad one still land
            failures.append(exc)
    if failures:
        raise failures[0]


def _deliver_page(conn: Connection, projection: Projection, events: Sequence[EventEnvelope],
                  fetch: FetchEvents) -> bool:
    """Applies what of these events (and the gaps before them) is not applied yet, with the
    tracking, in the caller's transaction; returns False if every one was a duplicate."""
    ids = sorted({str(event.originator_id) for event in events})  # one lock order for everyone
    tracking = projection_tracking.c
    mine = (tracking.projection == projection.name) & tracking.originator_id.in_(ids)
    known = dict(conn.execute(select(tracking.originator_id, tracking.version).where(mine)
                              .order_by(tracking.originator_id).with_for_update()).all())
    applied, pending = dict(known), []
    for event in events:
        aggregate = str(event.originator_id)
        last = applied.get(aggregate, 0)
        if event.originator_version <= last:
            continue  # delivered already
        if event.originator_version > last + 1:  # a gap: read what is missing from the store
            pending += fetch(event.originator_id, last, event.originator_version)
        else:
            pending.append(event)
        applied[aggregate] = event.originator_version
    apply_batch = getattr(projection, "apply_batch", None)
    if apply_batch is not None:
        apply_batch(conn, pending)
    else:
        for event in pending:
            projection.apply(conn, event)
    new = [{"projection": projection.name, "originator_id": a, "version": v}
           for a, v in applied.items() if a not in known]
    moved = [{"k": a, "v": v} for a, v in applied.items() if a in known and known[a] != v]
    if new:
        conn.execute(insert(projection_tracking), new)
    if moved:
        conn.execute(update(projection_tracking).where(
            (tracking.projection == projection.name) & (tracking.originator_id == bindparam("k")))
            .values(version=bindparam("v")), moved)
    return bool(pending)
