"""Presence from sockets (issue 14, item 3): a player's first live socket makes them PRESENT,
their last one closing makes them DISCONNECTED (the leave timer then makes them LEFT), however
many tabs and API instances hold them.

Each instance counts its sockets per (battle, player) in live_sockets and beats its heartbeat in
live_instances; a player's total is summed over the instances that are alive. The change of a
count and the command it implies run under one lock per (battle, player) (a transaction-scoped
advisory lock; one process lock on SQLite, the embedded default's single process), so a tab
closing on one instance and one opening on another cannot leave the player in the wrong state.
An instance that dies stops beating: `sweep` (scheduler) drops its sockets after DEAD_AFTER and
disconnects whoever had no other.
The commands are idempotent (RoomVerbs.reconnect/disconnect): the rules stay in the domain.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import structlog
from sqlalchemy import Connection, Engine, and_, delete, func, select, text, update

from arena.db.tables import live_instances, live_sockets

log = structlog.get_logger("arena.live")

HEARTBEAT_S = 10.0
DEAD_AFTER = timedelta(seconds=3 * HEARTBEAT_S)  # three missed beats
_LOCAL_LOCK = threading.Lock()


class SocketPresence:
    def __init__(self, app, engine: Engine, instance_id: str, clock: Callable[[], datetime]) -> None:
        self.app, self.engine, self.instance_id, self.clock = app, engine, instance_id, clock

    def opened(self, battle_id: UUID, user_id: str) -> None:
        """A socket of this player opened here: count it; the player is PRESENT."""
        with _locked(self.engine, battle_id, user_id) as conn:
            key = _key(self.instance_id, battle_id, user_id)
            with conn.begin():
                if conn.execute(update(live_sockets).where(*_matching(key))
                                .values(sockets=live_sockets.c.sockets + 1)).rowcount == 0:
                    conn.execute(live_sockets.insert().values(**key, sockets=1))
            self.app.reconnect(battle_id, user_id)  # a no-op when already PRESENT

    def closed(self, battle_id: UUID, user_id: str) -> None:
        """A socket of this player closed here: DISCONNECTED if it was their last anywhere."""
        with _locked(self.engine, battle_id, user_id) as conn:
            key = _key(self.instance_id, battle_id, user_id)
            with conn.begin():
                conn.execute(update(live_sockets).where(*_matching(key)).values(sockets=live_sockets.c.sockets - 1))
                conn.execute(delete(live_sockets).where(*_matching(key), live_sockets.c.sockets <= 0))
                alive = _sockets_alive(conn, battle_id, user_id, self.clock() - DEAD_AFTER)
            if alive == 0:
                self.app.disconnect(battle_id, user_id)  # a no-op unless PRESENT

    def heartbeat(self) -> None:
        with self.engine.begin() as conn:
            self._beat(conn)

    def _beat(self, conn: Connection) -> None:
        now = self.clock()
        if conn.execute(update(live_instances).where(live_instances.c.instance_id == self.instance_id)
                        .values(heartbeat_at=now)).rowcount == 0:
            conn.execute(live_instances.insert().values(instance_id=self.instance_id, heartbeat_at=now))


def sweep_dead_instances(app, engine: Engine, now: datetime) -> int:
    """Drops the sockets of instances that stopped beating; returns the players disconnected."""
    since = now - DEAD_AFTER
    with engine.connect() as conn:
        dead = conn.execute(select(live_instances.c.instance_id).where(live_instances.c.heartbeat_at < since)).scalars().all()
        held = conn.execute(select(live_sockets.c.instance_id, live_sockets.c.battle_id, live_sockets.c.user_id)
                            .where(live_sockets.c.instance_id.in_(dead))).all() if dead else []
    disconnected = 0
    for instance_id, battle_id, user_id in held:
        with _locked(engine, UUID(battle_id), user_id) as conn:
            with conn.begin():
                conn.execute(delete(live_sockets).where(*_matching(_key(instance_id, UUID(battle_id), user_id))))
                alive = _sockets_alive(conn, UUID(battle_id), user_id, since)
            if alive == 0:
                app.disconnect(UUID(battle_id), user_id)
                disconnected += 1
    if dead:
        with engine.begin() as conn:
            conn.execute(delete(live_instances).where(live_instances.c.instance_id.in_(dead),
                                                      live_instances.c.heartbeat_at < since))
        log.warning("swept the sockets of dead API instances", instances=len(dead), disconnected=disconnected)
    return disconnected


def _sockets_alive(conn: Connection, battle_id: UUID, user_id: str, since: datetime) -> int:
    alive = select(func.coalesce(func.sum(live_sockets.c.sockets), 0)).select_from(
        live_sockets.join(live_instances, live_instances.c.instance_id == live_sockets.c.instance_id)).where(
        live_sockets.c.battle_id == str(battle_id), live_sockets.c.user_id == user_id,
        live_instances.c.heartbeat_at >= since)
    return int(conn.execute(alive).scalar_one())


def _key(instance_id: str, battle_id: UUID, user_id: str) -> dict[str, str]:
    return {"instance_id": instance_id, "battle_id": str(battle_id), "user_id": user_id}


def _matching(key: dict[str, str]):
    return (and_(*(live_sockets.c[column] == value for column, value in key.items())),)


class _locked:
    """A connection holding the (battle, player) lock (a session advisory lock) until exit: the
    count changes in its own transaction, committed before the command runs (on SQLite the
    command's projections write to the same database file), and the lock covers both."""

    def __init__(self, engine: Engine, battle_id: UUID, user_id: str) -> None:
        self.engine, self.name = engine, f"live:{battle_id}:{user_id}"
        self.local = engine.dialect.name != "postgresql"

    def __enter__(self) -> Connection:
        if self.local:
            _LOCAL_LOCK.acquire()
        self.conn = self.engine.connect()
        if not self.local:
            self.conn.execute(text("SELECT pg_advisory_lock(hashtextextended(:name, 0))"), {"name": self.name})
            self.conn.commit()
        return self.conn

    def __exit__(self, *exc) -> None:
        try:
            if not self.local:
                self.conn.rollback()
                self.conn.execute(text("SELECT pg_advisory_unlock(hashtextextended(:name, 0))"), {"name": self.name})
                self.conn.commit()
        except Exception:
            self.conn.invalidate()  # never back to the pool with the lock held: closing frees it
            raise
        finally:
            self.conn.close()
            if self.local:
                _LOCAL_LOCK.release()
