"""room_player.verdict_recorded frees the submission's in-flight slot (docs/adr/0011).

Where verdicts become facts, not where they are sent: a verdict that is recorded, however it
arrived, ends the wait that the in-flight cap counts. The slot is keyed by the submission's id, so
a redelivered or replayed event frees nothing more; nor does a verdict whose reservation already
expired, or one for a player who had no cap.
"""

from __future__ import annotations

from arena.bus.envelope import EventEnvelope
from arena.limits.rules import Limiter, in_flight_key


class FreeInFlightSlot:
    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    def __call__(self, event: EventEnvelope) -> None:
        data = event.data
        self.limiter.release_sync(in_flight_key(str(data["user_id"])), str(data["submission_id"]))
