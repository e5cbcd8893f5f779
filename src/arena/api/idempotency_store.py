"""Where Idempotency-Key claims and answers live: the read-model database's idempotency_keys.

A claim holds its key for a lease (idempotency_lease.py): a placeholder whose request never
answered is taken over by the next request with that key once the lease has passed, with one
atomic UPDATE that only one taker can win. Its `created_at` is when it was last claimed.

Every mutating request with a key makes two writes here (its claim, then its answer), so they
are kept lean: the statements are compiled once for the engine's dialect and sent as they are
(SQLAlchemy's per-call statement building and cache-key hashing were a tenth of a submission's
CPU), and on PostgreSQL the claim does not wait for its own fsync (see claim).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from collections.abc import Callable
from functools import cached_property
from typing import Any

import asyncio
from concurrent.futures import ThreadPoolExecutor
from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from arena.api.idempotency_lease import RELEASED_AT, Placeholder, lease_start, outcome
from arena.db.tables import idempotency_keys as keys

# Claims and answers run on threads of their own, at most this many at once per process: under
# the engine's pool size (10, see db/engine.py). On anyio's 40 threads a burst checked out
# overflow connections that the pool closed again on return (a PostgreSQL connection opened and
# closed per request), and anyio's hand-off cost the event loop more than the executor's.
CONCURRENCY = 8
_ROW = (keys.c.principal == bindparam("where_principal")) & (keys.c.key == bindparam("where_key"))


class _Statement:
    """A statement compiled once; called with its parameters by name, in the dialect's style."""

    def __init__(self, statement: Any, engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql = str(compiled)
        self.order = compiled.positiontup if engine.dialect.positional else None

    def params(self, **values: Any) -> Any:
        return tuple(values[name] for name in self.order) if self.order else values


class _Statements:
    def __init__(self, engine: Engine) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        self.insert = _Statement(insert(keys).values(
            principal=bindparam("principal"), key=bindparam("key"), request_hash=bindparam("request_hash"),
            created_at=bindparam("created_at")), engine)
        self.select = _Statement(select(keys.c.request_hash, keys.c.status_code, keys.c.content_type,
                                        keys.c.body, keys.c.created_at).where(_ROW), engine)
        self.update = _Statement(update(keys).where(_ROW).values(
            status_code=bindparam("status_code"), content_type=bindparam("content_type"),
            body=bindparam("body")), engine)
        # Only an unanswered placeholder whose lease has passed: of two takers, the second finds
        # the first's fresh claim time and changes nothing.
        self.take_over = _Statement(update(keys).where(
            _ROW & keys.c.status_code.is_(None) & (keys.c.created_at <= bindparam("lease_start"))).values(
            created_at=bindparam("created_at")), engine)
        self.release = _Statement(update(keys).where(_ROW & keys.c.status_code.is_(None)).values(
            created_at=bindparam("created_at")), engine)


class IdempotencyStore:
    def __init__(self, engine: Engine, lease: timedelta = timedelta(seconds=60),
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.engine = engine
        self.lease = lease
        self.clock = clock
        self._threads = ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="arena-idempotency")

    @cached_property
    def _sql(self) -> _Statements:
        # At first use, not in __init__: an app built only for its OpenAPI document has no engine.
        return _Statements(self.engine)

    async def off_loop(self, method: Any, *args: Any) -> Any:
        """Runs one of the methods below in a worker thread, at most CONCURRENCY at once."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, method, *args)

    def claim(self, principal: str, key: str, request_hash: str) -> tuple[str, tuple | None]:
        """('new'|'taken over', None) | ('replay', (status, content_type, body)) |
        ('mismatch'|'busy', None). 'taken over': an earlier claim's lease had passed, so its
        command may have been appended: the caller looks for its kept answer first."""
        for _ in range(3):  # a placeholder released or taken between our statements: look again
            now = self.clock()
            if self._insert(principal, key, request_hash, now):
                return "new", None
            row = self._select(principal, key)
            if row is None:
                continue
            stored_hash, status_code, content_type, body, claimed_at = row
            placeholder = Placeholder(stored_hash, status_code is not None, self._utc(claimed_at))
            met = outcome(placeholder, request_hash, now, self.lease)
            if met == "replay":
                return "replay", (status_code, content_type, bytes(body))
            if met != "stale":
                return met, None
            if self._take_over(principal, key, now):
                return "taken over", None
        return "busy", None

    def answer(self, principal: str, key: str, status: int, content_type: str, body: bytes) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self._sql.update.sql, self._sql.update.params(
                status_code=status, content_type=content_type, body=body,
                where_principal=principal, where_key=key))

    def release(self, principal: str, key: str) -> None:
        """Ends the claim's lease now, keeping the row: the request's command may have been
        appended, so the next request with the key takes it over and looks for its answer."""
        sql = self._sql.release
        with self.engine.begin() as conn:
            conn.exec_driver_sql(sql.sql, sql.params(created_at=self._bind(RELEASED_AT),
                                                     where_principal=principal, where_key=key))

    def _insert(self, principal: str, key: str, request_hash: str, now: datetime) -> bool:
        sql = self._sql
        try:
            with self.engine.begin() as conn:
                if sql.postgres:
                    # The claim need not wait for its own fsync: the WAL is flushed in order, so
                    # the command's append or the answer, each committed durably after it, makes
                    # it durable too; lost in a crash before either, nothing happened to repeat.
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                conn.exec_driver_sql(sql.insert.sql, sql.insert.params(
                    principal=principal, key=key, request_hash=request_hash, created_at=self._bind(now)))
            return True
        except IntegrityError:
            return False

    def _select(self, principal: str, key: str) -> Any:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql(self._sql.select.sql, self._sql.select.params(
                where_principal=principal, where_key=key)).one_or_none()

    def _take_over(self, principal: str, key: str, now: datetime) -> bool:
        sql = self._sql.take_over
        with self.engine.begin() as conn:
            taken = conn.exec_driver_sql(sql.sql, sql.params(
                created_at=self._bind(now), lease_start=self._bind(lease_start(now, self.lease)),
                where_principal=principal, where_key=key))
        return taken.rowcount == 1

    def _bind(self, moment: datetime) -> Any:
        # UTCDateTime's own conversion (naive UTC on SQLite), as SQLAlchemy would have applied it
        return keys.c.created_at.type.process_bind_param(moment, self.engine.dialect)

    @staticmethod
    def _utc(value: Any) -> datetime:
        # Sent as driver SQL, nothing converts the result: SQLite gives back the text it stored.
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
