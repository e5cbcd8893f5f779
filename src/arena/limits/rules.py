"""What a limit check asks and answers, whatever the store.

Rates are a generic cell rate algorithm (GCRA): "N per S seconds" lets N requests through at once
and then one every S/N seconds, so there is no window edge at which 2N slip through, and the
state is one number per key. The in-flight cap is a count of reservations that each expire after
a while (a verdict normally releases one sooner), so a lost verdict cannot lock a player out.

A reservation is made under a random member before the handler runs (the submission has no id
yet), claimed under the submission's id once the API has accepted it, and released by that
submission's verdict. Keyed by submission, a release is idempotent: a redelivered verdict finds
nothing left to free. A verdict is also remembered for VERDICT_MEMORY_S, so a claim that comes
after it (a fast judge racing the API's answer) is dropped instead of holding a slot again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Rate:
    count: int
    per_s: float

    @classmethod
    def parse(cls, spec: str) -> Rate:
        count, per_s = spec.split("/")
        return cls(int(count), float(per_s))

    @property
    def interval_ms(self) -> int:
        return max(1, round(self.per_s * 1000 / self.count))

    @property
    def period_ms(self) -> int:
        return round(self.per_s * 1000)


@dataclass(frozen=True)
class Quota:
    key: str
    rate: Rate
    name: str  # said in the 429's detail


@dataclass(frozen=True)
class InFlight:
    key: str
    cap: int
    ttl_s: float
    member: str  # this request's reservation, released if the submission is refused


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: float = 0.0
    limit: str = ""  # the quota's name, or "in_flight"


ALLOWED = Decision(True)
VERDICT_MEMORY_S = 300  # far longer than an answer takes between the handler and the claim


class Limiter(Protocol):
    async def check(self, quotas: list[Quota], in_flight: InFlight | None = None) -> Decision:
        """All or nothing: either every quota is spent (and the reservation made) or none."""

    async def claim(self, key: str, member: str, submission_id: str) -> None:
        """The accepted request's reservation becomes its submission's, unless that submission's
        verdict was already released (then the reservation just ends)."""

    async def release(self, key: str, member: str) -> None:
        """Ends a reservation (a refused request's member, or a judged submission's id) and
        remembers it, so that releasing it again, or claiming it later, changes nothing."""

    def release_sync(self, key: str, member: str) -> None:
        """`release` for threads that have no event loop of the limiter's (the verdict handler
        on the embedded bus and in `arena worker`)."""

    async def close(self) -> None: ...

    def close_sync(self) -> None: ...


def user_key(user_id: str, what: str) -> str:
    # The braces are a Redis Cluster hash tag: one user's keys share a slot, so one script can
    # touch them all.
    return f"arena:limit:{{user:{user_id}}}:{what}"


def in_flight_key(user_id: str) -> str:
    """The key a verdict frees a slot of: `limiter.release_sync(in_flight_key(user), submission)`."""
    return user_key(user_id, "in-flight")


def released_key(in_flight: str) -> str:
    """Where the members released from an in-flight set are remembered (same hash tag, same slot)."""
    return f"{in_flight}:released"


def ip_key(ip: str) -> str:
    return f"arena:limit:{{ip:{ip}}}:anonymous"
