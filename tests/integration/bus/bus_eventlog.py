"""A tiny event-sourced application on a throwaway PostgreSQL database, for the bus tests.

Also runnable as a process (`python bus_eventlog.py DBNAME PREFIX`) that relays the log until
killed: the relay kill test SIGKILLs it mid-batch.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timezone
from uuid import UUID

from eventsourcing.application import Application
from faststream.rabbit import RabbitBroker
from sqlalchemy import Engine, create_engine

from arena.bus.relay import run_relay
from arena.bus.topology import Topology
from arena.handlers.routing import topology as routed_topology
from arena.domain.battle import Battle
from arena.domain.settings import BattleSettings

RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"


class BattleLog(Application):
    """Saves battles, a hundred per transaction, to fill the notification log quickly."""

    def draft_battles(self, count: int) -> list[UUID]:
        at = datetime.now(timezone.utc)
        battles = [Battle.draft("admin", BattleSettings(title=f"battle {i}"), at) for i in range(count)]
        for start in range(0, count, 100):
            self.save(*battles[start:start + 100])
        return [battle.id for battle in battles]


def event_log(dbname: str) -> BattleLog:
    return BattleLog(env={
        "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": PG_HOST, "POSTGRES_PORT": PG_PORT, "POSTGRES_USER": PG_USER,
        "POSTGRES_PASSWORD": ""})


def read_model_engine(dbname: str) -> Engine:
    return create_engine(f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}")


def prefixed_topology(prefix: str) -> Topology:
    return routed_topology(prefix=prefix)


async def _relay_forever(dbname: str, prefix: str, batch: int) -> None:
    broker = RabbitBroker(RABBIT_URL, logger=None)
    async with broker:
        await run_relay(event_log(dbname), read_model_engine(dbname), broker,
                        topology=prefixed_topology(prefix), batch=batch)


if __name__ == "__main__":
    asyncio.run(_relay_forever(sys.argv[1], sys.argv[2], int(sys.argv[3])))
