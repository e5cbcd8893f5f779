"""The rules of an Idempotency-Key's placeholder, without I/O (the store applies them).

A request claims its key with a placeholder row (no answer yet) and holds it for a lease. A
request that never answers (its connection to PostgreSQL dropped, its process died) leaves the
placeholder behind; once its lease has passed, the next request with that key takes it over
instead of being told "still in progress" for good. The taker then asks the event store for
the command's kept answer before running it again (docs/adr/0018).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

Outcome = Literal["mismatch", "replay", "busy", "stale"]
# What a released placeholder's claim time is set to: its lease is over for any lease length.
RELEASED_AT = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Placeholder:
    request_hash: str
    answered: bool
    claimed_at: datetime


def outcome(placeholder: Placeholder, request_hash: str, now: datetime, lease: timedelta) -> Outcome:
    """What a request with this key meets: another request's key (mismatch), an answer to replay,
    a claim still held (busy), or one whose lease has passed (stale: take it over)."""
    if placeholder.request_hash != request_hash:
        return "mismatch"
    if placeholder.answered:
        return "replay"
    if placeholder.claimed_at > lease_start(now, lease):
        return "busy"
    return "stale"


def lease_start(now: datetime, lease: timedelta) -> datetime:
    """A placeholder claimed at or before this instant has lost its lease."""
    return now - lease
