"""The limiter's script calls of one event-loop turn go to the real Redis as one pipeline, and
each caller still gets its own answer; a Redis that forgot the scripts is taught them again."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
import redis.asyncio as aioredis

from arena.limits.batching import ScriptBatcher
from arena.limits.redis_store import RedisLimiter
from arena.limits.rules import Quota, Rate

REDIS_URL = os.environ.get("ARENA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ECHO = "return {KEYS[1], ARGV[1]}"


async def test_calls_made_together_are_one_pipeline_and_each_gets_its_own_answer() -> None:
    client = aioredis.Redis.from_url(REDIS_URL)
    batcher = ScriptBatcher(client, {"echo": ECHO})
    pipelines: list[int] = []
    send = batcher._pipeline

    async def counted(calls):
        pipelines.append(len(calls))
        return await send(calls)

    batcher._pipeline = counted  # type: ignore[method-assign]
    try:
        answers = await asyncio.gather(*(batcher.call("echo", [f"k{n}"], [n]) for n in range(20)))
        assert answers == [[f"k{n}".encode(), str(n).encode()] for n in range(20)]
        assert pipelines[0] == 20  # (and once more, if Redis did not know the script yet)
        pipelines.clear()
        assert await batcher.call("echo", ["alone"], ["x"]) == [b"alone", b"x"]
        assert pipelines == [1]
    finally:
        await client.aclose()


async def test_a_redis_that_forgot_the_scripts_is_taught_them_again() -> None:
    client = aioredis.Redis.from_url(REDIS_URL)
    batcher = ScriptBatcher(client, {"echo": ECHO})
    try:
        assert await batcher.call("echo", ["a"], [1]) == [b"a", b"1"]
        await client.script_flush()
        assert await asyncio.gather(batcher.call("echo", ["b"], [2]), batcher.call("echo", ["c"], [3])) == [
            [b"b", b"2"], [b"c", b"3"]]
    finally:
        await client.aclose()


async def test_one_failing_call_fails_alone() -> None:
    client = aioredis.Redis.from_url(REDIS_URL)
    batcher = ScriptBatcher(client, {"echo": ECHO, "broken": "return redis.call('NOSUCHCOMMAND')"})
    try:
        good, bad = await asyncio.gather(batcher.call("echo", ["a"], [1]), batcher.call("broken", [], []),
                                         return_exceptions=True)
        assert good == [b"a", b"1"]
        assert isinstance(bad, Exception)
    finally:
        await client.aclose()


async def test_concurrent_checks_of_one_user_spend_the_quota_exactly_once_each() -> None:
    """Batched or not, the quota is Redis's: 10 per minute lets exactly 10 of 25 through."""
    limiter = RedisLimiter.from_url(REDIS_URL)
    quota = [Quota(f"test:batching:{uuid.uuid4().hex}", Rate.parse("10/60"), "mutations")]
    try:
        decisions = await asyncio.gather(*(limiter.check(quota) for _ in range(25)))
        assert sum(d.allowed for d in decisions) == 10
        refused = [d for d in decisions if not d.allowed]
        assert all(d.limit == "mutations" and d.retry_after_s > 0 for d in refused)
    finally:
        await limiter.close()
        limiter.close_sync()


@pytest.mark.parametrize("down", ["redis://127.0.0.1:1/0"])
async def test_a_dead_store_fails_open_for_every_call_of_the_batch(down: str) -> None:
    limiter = RedisLimiter.from_url(down)
    quota = [Quota("test:batching:dead", Rate.parse("1/60"), "mutations")]
    try:
        decisions = await asyncio.gather(*(limiter.check(quota) for _ in range(5)))
        assert all(d.allowed for d in decisions)
    finally:
        await limiter.close()
        limiter.close_sync()
