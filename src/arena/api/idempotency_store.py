"""Where Idempotency-Key claims and answers live: the read-model database's idempotency_keys.

Every mutating request with a key makes two writes here (its claim, then its answer), so they
are kept lean: the statements are compiled once for the engine's dialect and sent as they are
(SQLAlchemy's per-call statement building and cache-key hashing were a tenth of a submission's
CPU), and on PostgreSQL the claim does not wait for its own fsync (see claim).
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cached_property
from typing import Any

import asyncio
from concurrent.futures import ThreadPoolExecutor
from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

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
                                        keys.c.body).where(_ROW), engine)
        self.update = _Statement(update(keys).where(_ROW).values(
            status_code=bindparam("status_code"), content_type=bindparam("content_type"),
            body=bindparam("body")), engine)
        self.delete = _Statement(delete(keys).where(_ROW), engine)


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._threads = ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="arena-idempotency")

    @cached_property
    def _sql(self) -> _Statements:
        # At first use, not in __init__: an app built only for its OpenAPI document has no engine.
        return _Statements(self.engine)

    async def off_loop(self, method: Any, *args: Any) -> Any:
        """Runs one of the methods below in a worker thread, at most CONCURRENCY at once."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, method, *args)

    def claim(self, principal: str, key: str, request_hash: str) -> tuple[str, tuple | None]:
        """('new', None) | ('replay', (status, content_type, body)) | ('mismatch'|'busy', None)."""
        sql = self._sql
        # UTCDateTime's own conversion (naive UTC on SQLite), as SQLAlchemy would have applied it
        created_at = keys.c.created_at.type.process_bind_param(datetime.now(timezone.utc), self.engine.dialect)
        try:
            with self.engine.begin() as conn:
                if sql.postgres:
                    # The claim need not wait for its own fsync: the WAL is flushed in order, so
                    # the command's append or the answer, each committed durably after it, makes
                    # it durable too; lost in a crash before either, nothing happened to repeat.
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                conn.exec_driver_sql(sql.insert.sql, sql.insert.params(
                    principal=principal, key=key, request_hash=request_hash, created_at=created_at))
            return "new", None
        except IntegrityError:
            pass
        with self.engine.connect() as conn:
            row = conn.exec_driver_sql(sql.select.sql, sql.select.params(
                where_principal=principal, where_key=key)).one_or_none()
        if row is None:  # released between our insert and read: try once more
            return self.claim(principal, key, request_hash)
        stored_hash, status_code, content_type, body = row
        if stored_hash != request_hash:
            return "mismatch", None
        if status_code is None:
            return "busy", None
        return "replay", (status_code, content_type, bytes(body))

    def answer(self, principal: str, key: str, status: int, content_type: str, body: bytes) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self._sql.update.sql, self._sql.update.params(
                status_code=status, content_type=content_type, body=body,
                where_principal=principal, where_key=key))

    def release(self, principal: str, key: str) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self._sql.delete.sql,
                                 self._sql.delete.params(where_principal=principal, where_key=key))
