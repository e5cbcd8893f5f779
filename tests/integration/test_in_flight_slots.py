"""A verdict frees its submission's in-flight slot, once: the limiter's reservations are keyed by
submission, so a redelivered verdict event frees nothing more, and a verdict that beats the API's
claim keeps the slot free. Against the real Redis and the in-process store alike."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone
from uuid import uuid4

import pytest

from arena.bus.envelope import EventEnvelope
from arena.handlers.limits import FreeInFlightSlot
from arena.limits import InFlight, InProcessLimiter, in_flight_key
from arena.limits.redis_store import RedisLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"
CAP = 2


@pytest.fixture(params=["redis", "in-process"])
def limiter(request):
    made = RedisLimiter.from_url(REDIS_URL) if request.param == "redis" else InProcessLimiter()
    yield made
    made.close_sync()  # the asyncio side is closed by each scenario, on its own loop


def verdict_recorded(user: str, submission_id: str) -> EventEnvelope:
    return EventEnvelope(topic="arena.domain.room_player:RoomPlayer.VerdictRecorded", originator_id=uuid4(),
                         originator_version=3, timestamp=datetime.now(timezone.utc),
                         data={"user_id": user, "submission_id": submission_id, "verdict": "AC"})


def test_a_verdict_frees_its_in_flight_slot_once(limiter) -> None:
    user = f"ada-{uuid.uuid4().hex[:10]}"
    free_slot = FreeInFlightSlot(limiter)

    async def submit(submission_id: str) -> bool:
        """What the middleware does for one submission: reserve, then claim under its id."""
        member = uuid.uuid4().hex
        decision = await limiter.check([], InFlight(in_flight_key(user), CAP, 3600, member))
        if decision.allowed:
            await limiter.claim(in_flight_key(user), member, submission_id)
        return decision.allowed

    async def scenario() -> list[bool]:
        answers = [await submit("s1"), await submit("s2"), await submit("s3")]  # the cap is 2
        free_slot(verdict_recorded(user, "s1"))
        answers.append(await submit("s3"))  # s1's slot is free
        free_slot(verdict_recorded(user, "s1"))  # redelivered: s2 and s3 are still in flight
        answers.append(await submit("s4"))
        await limiter.close()
        return answers

    assert asyncio.run(scenario()) == [True, True, False, True, False]


def test_a_verdict_that_beats_the_claim_leaves_the_slot_free(limiter) -> None:
    user = f"ada-{uuid.uuid4().hex[:10]}"

    async def scenario() -> list[bool]:
        key, member = in_flight_key(user), uuid.uuid4().hex
        first = await limiter.check([], InFlight(key, 1, 3600, member))
        FreeInFlightSlot(limiter)(verdict_recorded(user, "s1"))  # a fast judge, a slow answer
        await limiter.claim(key, member, "s1")
        second = await limiter.check([], InFlight(key, 1, 3600, uuid.uuid4().hex))
        await limiter.close()
        return [first.allowed, second.allowed]

    assert asyncio.run(scenario()) == [True, True]
