"""What a bus message may be believed for: the event store is true, the bus carries copies.

Anyone holding the broker's credentials can publish anything on any exchange they may write
to, so a consumer must not apply an event because a message describes one. `StoredEvents`
turns an event message into the event the store holds: the body is trusted for its originator
id and version only, the row with that primary key is read from `arena_events`, and the
envelope built from it (topic, timestamp, data, notification id) is what handlers see. A
message naming an event the store does not hold, or holding a different kind of event under
that key, is `Rejected`: the consumer dead-letters it at once with the reason (retrying
cannot make it true) and nothing is applied, so no tracking row moves.

Cost: one indexed primary-key lookup per event, batched. Lookups asked for in the same loop
turn (a prefetch's worth of concurrent deliveries under load) share one SELECT, run off the
event loop; while it runs the next batch gathers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from sqlalchemy import Engine, text

from arena.bus.envelope import EventEnvelope, envelope_from_stored

Key = tuple[UUID, int]

# (originator_id, originator_version) is the events table's primary key: an index probe per pair.
_SELECT = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state, e.notification_id"
    " FROM {table} e"
    " JOIN unnest(CAST(:ids AS uuid[]), CAST(:versions AS bigint[])) AS k(id, version)"
    " ON e.originator_id = k.id AND e.originator_version = k.version")


class Rejected(Exception):
    """A message that can never be applied (forged, unknown, unsigned): dead-letter it now."""


@dataclass(frozen=True)
class _Row:  # the shape envelope_from_stored reads
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    id: int | None


class StoredEvents:
    """The consumers' one door from a bus message to an event: `await trusted(claimed)`."""

    def __init__(self, engine: Engine, transcoder: Any, *, table: str = "arena_events",
                 max_batch: int = 1000) -> None:
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        self.select = text(_SELECT.format(table=table))
        self.engine = engine
        self.transcoder = transcoder
        self.max_batch = max_batch
        self._waiting: dict[Key, asyncio.Future[EventEnvelope | None]] = {}
        self._reading: asyncio.Task[None] | None = None

    async def trusted(self, claimed: EventEnvelope) -> EventEnvelope:
        """The stored event `claimed` names; raises Rejected if the store holds no such event."""
        key = (claimed.originator_id, claimed.originator_version)
        future = self._waiting.get(key)
        if future is None:
            future = self._waiting[key] = asyncio.get_running_loop().create_future()
        if self._reading is None:  # starts after this loop turn: lookups asked in it join
            self._reading = asyncio.get_running_loop().create_task(self._read_batches())
        stored = await asyncio.shield(future)  # a cancelled waiter must not cancel the others'
        if stored is None:
            raise Rejected(f"the event store holds no event {claimed.idempotency_key}")
        if stored.topic != claimed.topic:
            raise Rejected(f"the event store holds {stored.topic} as {claimed.idempotency_key}, "
                           f"not {claimed.topic}")
        return stored

    async def _read_batches(self) -> None:
        try:
            while self._waiting:
                keys = list(self._waiting)[: self.max_batch]
                futures = [self._waiting.pop(key) for key in keys]
                try:
                    found = await asyncio.to_thread(self._select, keys)
                except Exception as exc:  # the database is down: every waiter retries later
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for key, future in zip(keys, futures):
                    if not future.done():
                        future.set_result(found.get(key))
        finally:
            self._reading = None

    def _select(self, keys: Sequence[Key]) -> dict[Key, EventEnvelope]:
        with self.engine.connect() as conn:
            rows = conn.execute(self.select, {"ids": [key[0] for key in keys],
                                          "versions": [key[1] for key in keys]}).all()
        found = {}
        for row in rows:
            stored = _Row(row.originator_id, row.originator_version, row.topic, bytes(row.state),
                          row.notification_id)
            found[(row.originator_id, row.originator_version)] = envelope_from_stored(stored, self.transcoder)
        return found


def event_transcoder() -> JSONTranscoder:
    """What eventsourcing's Application decodes stored state with (arena registers nothing of its
    own), for a process that reads events without building the application (`arena judge`)."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return transcoder
