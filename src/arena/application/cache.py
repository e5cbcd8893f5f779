"""The aggregate cache, with cached aggregates that never change once cached.

eventsourcing's Repository.get fast-forwards a cached aggregate IN PLACE on a cache hit
(project_aggregate calls each new event's mutate() on the cached object itself) under a lock of
its own, and deep-copies it for the caller only after releasing that lock. So one thread could
deep-copy an aggregate while another fast-forwards the same object ("dictionary changed size
during iteration"), and our commands' cached reads (which copy without any store round trip)
could not take that private lock at all.

Locking every copy would put a lock on pure reads too. Instead a cached object is immutable
from the moment it is cached: a fast-forward applies the new events to a COPY and swaps that
copy in, so a reader copying the old object copies a state that nothing is changing. Only a
newer version ever replaces an older one (the saves of two commands may finish out of order).
Two copies are made when there are new events (one for the cache, one for the caller), one
otherwise; the library made one and raced.
"""

from __future__ import annotations

import threading
from copy import deepcopy
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate

SWAP_STRIPES = 64


class ImmutableCacheRepository(Repository[UUID]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Compare-and-put takes nanoseconds and no I/O; striped so that no lock is global.
        self._swap_locks = [threading.Lock() for _ in range(SWAP_STRIPES)]

    def get(self, aggregate_id: UUID, *, version: int | None = None,
            projector_func: Any = project_aggregate, **kwargs: Any) -> Any:
        if self.cache is None or version is not None:
            return super().get(aggregate_id, version=version, projector_func=projector_func, **kwargs)
        cached = self.cached(aggregate_id)
        if cached is None:
            fresh = self._reconstruct_aggregate(aggregate_id, None, projector_func)
        elif not self.fastforward:
            return deepcopy(cached)
        else:
            new_events = list(self.event_store.get(originator_id=aggregate_id, gt=cached.version))
            if not new_events:
                return deepcopy(cached)
            fresh = projector_func(deepcopy(cached), new_events)  # never the cached object itself
            if fresh is None:
                raise AggregateNotFoundError(aggregate_id)
        self.offer(fresh)
        return deepcopy(fresh)  # the caller's to change: `fresh` may now be the cached one

    def cached(self, aggregate_id: UUID) -> Any:
        """The cached state (to read or copy, never to change), or None."""
        try:
            return self.cache.get(aggregate_id) if self.cache is not None else None
        except KeyError:
            return None

    def offer(self, aggregate: Any) -> None:
        """Caches this state unless the cache already holds a newer one. The object must not
        be changed after this call: its owner hands it over."""
        if self.cache is None:
            return
        with self._swap_locks[hash(aggregate.id) % SWAP_STRIPES]:
            cached = self.cached(aggregate.id)
            if cached is None or cached.version < aggregate.version:
                self.cache.put(aggregate.id, aggregate)
