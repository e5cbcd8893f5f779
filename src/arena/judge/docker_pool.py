"""The docker backend's warm pool: per language, at most `max_workers` containers, idle ones reused.

A container is taken for exactly one submission and goes back in a `finally`, exactly once: the
lease object refuses a second release, which is the bug that once let two rapid submissions share
one container. A container whose run broke (exec failed, clean-up failed, engine error) is
removed and replaced instead of going back to idle.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol


class Engine(Protocol):
    """What the pool needs from a container engine (the Docker SDK adapter, or a fake)."""

    async def create(self, language: str) -> Any: ...

    async def clean(self, container: Any) -> None: ...  # raise if the container is unusable

    async def remove(self, container: Any) -> None: ...


class DoubleRelease(RuntimeError):
    pass


class Lease:
    def __init__(self, container: Any) -> None:
        self.container = container
        self.broken = False
        self.released = False


class ContainerPool:
    def __init__(self, engine: Engine, max_workers: int) -> None:
        self._engine = engine
        self._max = max_workers
        self._idle: dict[str, list[Any]] = defaultdict(list)
        self._busy: set[int] = set()  # ids of leased containers
        self._count: dict[str, int] = defaultdict(int)  # idle + leased, per language
        self._changed = asyncio.Condition()

    def stats(self, language: str) -> dict[str, int]:
        return {"idle": len(self._idle[language]), "total": self._count[language]}

    @asynccontextmanager
    async def lease(self, language: str) -> AsyncIterator[Lease]:
        """Take a container for one run; it goes back (or is replaced) whatever happens."""
        lease = await self._acquire(language)
        try:
            yield lease
        except BaseException:
            lease.broken = True
            raise
        finally:
            await self._release(language, lease)

    async def _acquire(self, language: str) -> Lease:
        async with self._changed:
            while not self._idle[language] and self._count[language] >= self._max:
                await self._changed.wait()
            if self._idle[language]:
                container = self._idle[language].pop()
                self._busy.add(id(container))
                return Lease(container)
            self._count[language] += 1  # reserve the place before the slow create
        try:
            container = await self._engine.create(language)
        except BaseException:
            async with self._changed:
                self._count[language] -= 1
                self._changed.notify_all()
            raise
        self._busy.add(id(container))
        return Lease(container)

    async def _release(self, language: str, lease: Lease) -> None:
        if lease.released or id(lease.container) not in self._busy:
            raise DoubleRelease(f"container released twice: {lease.container!r}")
        lease.released = True
        self._busy.discard(id(lease.container))
        if not lease.broken:
            try:
                await self._engine.clean(lease.container)
            except Exception:
                lease.broken = True
        if lease.broken:
            await self._discard(language, lease.container)
            return
        async with self._changed:
            self._idle[language].append(lease.container)
            self._changed.notify_all()

    async def _discard(self, language: str, container: Any) -> None:
        try:
            await self._engine.remove(container)
        finally:
            async with self._changed:
                self._count[language] -= 1
                self._changed.notify_all()

    async def warm(self, language: str, n: int) -> None:
        """Start up to `n` idle containers ahead of the first submission."""
        leases = [await self._acquire(language) for _ in range(min(n, self._max))]
        for lease in leases:
            await self._release(language, lease)

    async def close(self) -> None:
        async with self._changed:
            idle = [(lang, c) for lang, cs in self._idle.items() for c in cs]
            self._idle.clear()
        for language, container in idle:
            await self._discard(language, container)
