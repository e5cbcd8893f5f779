"""Idempotency keys are kept for a while (ARENA_IDEMPOTENCY_KEEP_S, a day by default), then
forgotten: a client retries a request within seconds or minutes, and without an end the two
tables that remember keys (the API's claims and answers, idempotency_keys; the commands' answers
kept with their events, arena_command_keys) would grow with every keyed request for good. A key
used again after it was forgotten is a new request, as with Stripe's 24-hour keys.

The sweep deletes in batches (one short transaction each, on the indexes of migration 0011), so a
backlog of millions never holds a lock for long nor builds one huge transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Engine, Table, delete, select, tuple_

from arena.db.tables import command_keys, idempotency_keys

BATCH = 5_000
KEPT_SINCE: tuple[tuple[Table, Column], ...] = (
    (idempotency_keys, idempotency_keys.c.created_at),  # when it was last claimed
    (command_keys, command_keys.c.recorded_at),
)


def forget_keys(engine: Engine, before: datetime, batch: int = BATCH) -> int:
    """Deletes every key claimed or recorded before `before`; returns how many."""
    forgotten = 0
    for table, since in KEPT_SINCE:
        keys = (table.c.principal, table.c.key)
        while True:
            oldest = select(*keys).where(since < before).limit(batch)
            with engine.begin() as conn:
                deleted = conn.execute(delete(table).where(tuple_(*keys).in_(oldest))).rowcount
            forgotten += deleted
            if deleted < batch:
                break
    return forgotten
