"""Snapshots of the aggregates a command just saved (a battle every 2,000 events)."""

from __future__ import annotations

from typing import Any


def snapshot_saved(snapshots: Any, intervals: dict[type, int], processing_event: Any) -> None:
    """Snapshots each saved aggregate whose version crossed a multiple of its interval, from the
    object just saved. eventsourcing's own way re-reads and replays the interval's events from
    the store inside the command (2,000 events: 0.1 s, paid by one battle command in 2,000)."""
    if snapshots is None or not intervals:
        return
    saved: dict[Any, int] = {}
    for event in processing_event.events:
        saved[event.originator_id] = saved.get(event.originator_id, 0) + 1
    for aggregate_id, count in saved.items():
        aggregate = processing_event.aggregates.get(aggregate_id)
        interval = intervals.get(type(aggregate))
        if interval and aggregate.version // interval > (aggregate.version - count) // interval:
            snapshots.put([type(aggregate).Snapshot.take(aggregate)])
