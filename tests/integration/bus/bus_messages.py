"""Helpers for the consumer tests: a small message model and a publisher onto the test topology."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from faststream.rabbit import RabbitBroker
from pydantic import BaseModel

from arena.bus.publish import publish_confirmed
from arena.bus.topology import EVENTS, Topology


T = TypeVar("T")


class Ping(BaseModel):
    n: int


async def publish_event(broker: RabbitBroker, topology: Topology, routing_key: str, body: bytes,
                        message_id: str) -> None:
    await publish_confirmed(broker, body, exchange=topology.exchange(EVENTS),
                            routing_key=routing_key, message_id=message_id)


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for a condition the code under test makes true (a deadline, not a timing claim)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def eventually(fetch: Callable[[], Awaitable[T]], timeout: float = 30.0) -> T:
    """Fetch until the result is not empty (a deadline, not a timing claim)."""
    async with asyncio.timeout(timeout):
        while not (result := await fetch()):
            await asyncio.sleep(0.05)
    return result
