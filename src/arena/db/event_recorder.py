"""The PostgreSQL event recorder: eventsourcing's, with each append in one round trip that also
checks the command's reads.

Every command ends in an append, so its cost bounds commands/s. eventsourcing's locked insert
pipelines SET LOCAL, LOCK TABLE, NOTIFY, the INSERT and the id fetch inside an explicit
transaction (about eight waits on the socket); `arena_append_events` (migration 0004) takes the
same lock, checks that every aggregate the command read is still at the version it read, and
inserts, and NOTIFYs the table's channel for the relay, server-side. Its overload of migration
0006 appends, in the same statement, the kept answers of the commands run under an
Idempotency-Key (arena_command_keys, ADR 18). Reads are eventsourcing's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import get_topic, retry
from psycopg.sql import SQL

from arena.db.command_keys import KeptCommand
from arena.domain.settlement import Settlement

APPEND = ("SELECT arena_append_events(%s, %s, %s, %s, %s, %s, %s::text[], %s::text[], %s::text[], %s::text[])"
          " AS notification_id")
KEPT = "SELECT principal, key, request_hash, answer FROM arena_command_keys WHERE principal = %s AND key = %s"
TOPIC = "arena.db.event_recorder:EventRecorder"  # for eventsourcing's APPLICATION_RECORDER_TOPIC
# The ratings read every Settled event after their position in the log, in log order; without
# this index that read scans every event since the last settlement (a 50,000-player battle's
# 200,000: 0.1-0.4 s), with it the Settled events alone. Partial: no other append pays for it.
SETTLED_INDEX = SQL("CREATE INDEX IF NOT EXISTS arena_events_settled ON arena_events (notification_id) "
                    "WHERE topic = {}").format(get_topic(Settlement.Settled))


class EventRecorder(PostgresApplicationRecorder):
    checks_reads = True  # ArenaApplication may then decide commands on cached aggregates
    keeps_command_keys = True  # and append a keyed command's answer with its events

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.events_table_name != "arena_events":  # the name migration 0004 locks
            raise ValueError(f"EventRecorder serves arena_events, not {self.events_table_name}")
        # eventsourcing re-creates its own insert function (CREATE OR REPLACE) at every start,
        # which fails with "tuple concurrently updated" when processes start together; unused here.
        del self.sql_create_statements[self.create_insert_function_statement_index]
        self.sql_create_statements.append(SETTLED_INDEX)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], *,
                      reads: Sequence[tuple[UUID, int]] = (), keys: Sequence[KeptCommand] = (),
                      **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return []
        arguments = ([event.originator_id for event in stored_events],
                     [event.originator_version for event in stored_events],
                     [event.topic for event in stored_events],
                     [event.state for event in stored_events],
                     [aggregate_id for aggregate_id, _ in reads],
                     [version for _, version in reads],
                     [key.principal for key in keys], [key.key for key in keys],
                     [key.request_hash for key in keys], [key.answer for key in keys])
        with self.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(APPEND, arguments, prepare=True)
            return [row["notification_id"] for row in cursor.fetchall()]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def kept_command(self, principal: str, key: str) -> KeptCommand | None:
        """The command appended under this key, if one was."""
        with self.datastore.get_connection() as conn, conn.cursor() as cursor:
            cursor.execute(KEPT, (principal, key), prepare=True)
            row = cursor.fetchone()
        return KeptCommand(row["principal"], row["key"], row["request_hash"], row["answer"]) if row else None
