"""The cost of one abuse-limit check (docs/adr/0011), as the API's middleware makes it.

redis PING: the floor, one round trip to the same Redis doing nothing.
redis:      RedisLimiter.check on the local Redis, the heaviest case (a submission: two quotas
            and an in-flight reservation, one Lua script, one round trip); sequential latency
            (p50/p99) and throughput with --concurrency checks in flight on one event loop.
in-process: InProcessLimiter.check, the embedded default's, same quotas.
Every check is allowed (generous rates), so each one writes, as most real requests do.
Usage: python bench/limit_check.py [--checks 20000] [--concurrency 32] [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

from arena.limits import InFlight, InProcessLimiter, Quota, Rate
from arena.limits.redis_store import RedisLimiter
from arena.limits.rules import in_flight_key, user_key

GENEROUS = Rate(10**9, 60)


def submission_check(user: str) -> tuple[list[Quota], InFlight]:
    quotas = [Quota(user_key(user, "mutations"), GENEROUS, "mutations"),
              Quota(user_key(user, "submissions"), GENEROUS, "submissions")]
    return quotas, InFlight(in_flight_key(user), 10**9, 1.0, uuid.uuid4().hex)


async def sequential(limiter, checks: int, users: list[str]) -> list[float]:
    timings = []
    for i in range(checks):
        quotas, held = submission_check(users[i % len(users)])
        started = time.perf_counter()
        decision = await limiter.check(quotas, held)
        timings.append(time.perf_counter() - started)
        assert decision.allowed
    return timings


async def concurrent(limiter, checks: int, users: list[str], concurrency: int) -> float:
    async def client(n: int) -> None:
        for i in range(checks // concurrency):
            quotas, held = submission_check(users[(n + i) % len(users)])
            await limiter.check(quotas, held)

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return (checks // concurrency) * concurrency / (time.perf_counter() - started)


def report(name: str, timings: list[float], per_s: float | None) -> None:
    timings = sorted(timings)
    p50, p99 = statistics.median(timings), timings[int(len(timings) * 0.99)]
    extra = f", {per_s:,.0f} checks/s concurrent" if per_s else ""
    print(f"{name:<11} p50 {p50 * 1e6:7.1f} us  p99 {p99 * 1e6:7.1f} us{extra}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    users = [f"bench-{uuid.uuid4().hex[:8]}-{i}" for i in range(100)]

    limiter = RedisLimiter.from_url(args.redis)
    pings = []
    for _ in range(args.checks // 4):  # the floor: one round trip that does nothing
        started = time.perf_counter()
        await limiter.client.ping()
        pings.append(time.perf_counter() - started)
    report("redis PING", pings, None)
    await sequential(limiter, 500, users)  # warm: connection, script cached on the server
    timings = await sequential(limiter, args.checks, users)
    per_s = await concurrent(limiter, args.checks, users, args.concurrency)
    report("redis", timings, per_s)
    await limiter.client.delete(*[key for user in users for key in (
        user_key(user, "mutations"), user_key(user, "submissions"), in_flight_key(user))])
    await limiter.close()

    memory = InProcessLimiter()
    report("in-process", await sequential(memory, args.checks, users), None)


if __name__ == "__main__":
    asyncio.run(main())
