"""The shared limiter: every API process checks against one Redis, one Lua script per request
(spending all of a request's quotas, or none, on Redis's own clock); the scripts that the
requests of one event-loop turn call go as one pipeline (batching.py).

When Redis is down or slow the limiter fails open: the request goes through, a warning is
logged (at most once per LOG_EVERY_S) and arena_rate_limit_store_errors_total counts it. Limits
protect the service from abuse; refusing every request because their store is gone would turn
a cache outage into a full outage. After a failure Redis is left alone for RETRY_AFTER_S, so a
dead store costs requests nothing, not a timeout each.
"""

from __future__ import annotations

import time

import redis
import redis.asyncio as aioredis
import structlog
from prometheus_client import Counter
from redis.exceptions import RedisError

from arena.limits.batching import ScriptBatcher
from arena.limits.rules import ALLOWED, VERDICT_MEMORY_S, Decision, InFlight, Quota, released_key

TIMEOUT_S = 0.25
RETRY_AFTER_S = 1.0
LOG_EVERY_S = 10.0

STORE_ERRORS = Counter("arena_rate_limit_store_errors_total",
                       "limit checks let through because the limiter's store failed")
log = structlog.get_logger("arena.limits")

# KEYS: the quotas' keys, then the in-flight key if any.
# ARGV: quota count, then interval_ms and period_ms per quota, then cap, ttl_ms, member.
# Returns {allowed (1|0), retry_after_ms, index of the limit that refused (1-based)}.
CHECK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local wait, refused, tats = 0, 0, {}
for i = 1, n do
  local interval, period = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  tats[i] = tat + interval
  if tats[i] - period - now > wait then wait, refused = tats[i] - period - now, i end
end
local held = KEYS[n + 1]
local cap, ttl, member = tonumber(ARGV[2 * n + 2]), tonumber(ARGV[2 * n + 3]), ARGV[2 * n + 4]
if held and cap > 0 and refused == 0 then
  redis.call('ZREMRANGEBYSCORE', held, '-inf', now - ttl)
  if redis.call('ZCARD', held) >= cap then
    local oldest = redis.call('ZRANGE', held, 0, 0, 'WITHSCORES')
    return {0, tonumber(oldest[2]) + ttl - now, n + 1}
  end
end
if refused > 0 then return {0, wait, refused} end
for i = 1, n do redis.call('SET', KEYS[i], tats[i], 'PX', math.max(1, tats[i] - now)) end
if held and cap > 0 then
  redis.call('ZADD', held, now, member)
  redis.call('PEXPIRE', held, ttl)
end
return {1, 0, 0}
"""

# KEYS: the in-flight set, its released set. ARGV: the request's member, the submission id.
# The reservation keeps its time (and so its expiry) under the submission's id.
CLAIM = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'NX', score, ARGV[2])
return 1
"""

# KEYS: the in-flight set, its released set. ARGV: the member, how long to remember it (ms).
RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local memory = tonumber(ARGV[2])
local freed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - memory)
redis.call('PEXPIRE', KEYS[2], memory)
return freed
"""
MEMORY_MS = VERDICT_MEMORY_S * 1000


class RedisLimiter:
    def __init__(self, client: aioredis.Redis, sync_client: redis.Redis | None = None) -> None:
        self.client = client  # the API's event loop's: checks, claims, refused requests' releases
        self.sync_client = sync_client  # threads': verdicts' releases (pooled, thread-safe)
        self._scripts = ScriptBatcher(client, {"check": CHECK, "claim": CLAIM, "release": RELEASE})
        self._release_sync = sync_client.register_script(RELEASE) if sync_client is not None else None
        self._down_until = 0.0
        self._logged_at = -LOG_EVERY_S

    @classmethod
    def from_url(cls, url: str) -> RedisLimiter:
        # No connection is opened here: the pool connects on first use, on the server's loop.
        options = {"socket_timeout": TIMEOUT_S, "socket_connect_timeout": TIMEOUT_S}
        return cls(aioredis.Redis.from_url(url, **options), redis.Redis.from_url(url, **options))

    async def check(self, quotas: list[Quota], in_flight: InFlight | None = None) -> Decision:
        if time.monotonic() < self._down_until:
            return self._fail_open(None)
        keys = [quota.key for quota in quotas]
        args: list[str | int] = [len(quotas)]
        for quota in quotas:
            args += [quota.rate.interval_ms, quota.rate.period_ms]
        if in_flight is not None:
            keys.append(in_flight.key)
            args += [in_flight.cap, round(in_flight.ttl_s * 1000), in_flight.member]
        try:
            allowed, wait_ms, refused = await self._scripts.call("check", keys, args)
        except (RedisError, OSError, TimeoutError) as exc:
            return self._fail_open(exc)
        if allowed:
            return ALLOWED
        name = quotas[refused - 1].name if refused <= len(quotas) else "in_flight"
        return Decision(False, int(wait_ms) / 1000, name)

    async def claim(self, key: str, member: str, submission_id: str) -> None:
        if time.monotonic() < self._down_until:
            return  # the reservation expires on its own
        try:
            await self._scripts.call("claim", [key, released_key(key)], [member, submission_id])
        except (RedisError, OSError, TimeoutError) as exc:
            self._fail_open(exc)

    async def release(self, key: str, member: str) -> None:
        if time.monotonic() < self._down_until:
            return
        try:
            await self._scripts.call("release", [key, released_key(key)], [member, MEMORY_MS])
        except (RedisError, OSError, TimeoutError) as exc:
            self._fail_open(exc)  # the reservation expires on its own

    def release_sync(self, key: str, member: str) -> None:
        if self._release_sync is None:
            raise RuntimeError("this RedisLimiter has no synchronous client (build it with from_url)")
        try:
            self._release_sync(keys=[key, released_key(key)], args=[member, MEMORY_MS])
        except (RedisError, OSError, TimeoutError) as exc:
            self._fail_open(exc)  # the reservation expires on its own

    async def close(self) -> None:
        await self.client.aclose()

    def close_sync(self) -> None:
        if self.sync_client is not None:
            self.sync_client.close()

    def _fail_open(self, exc: Exception | None) -> Decision:
        STORE_ERRORS.inc()
        now = time.monotonic()
        if exc is not None:
            self._down_until = now + RETRY_AFTER_S
            if now - self._logged_at >= LOG_EVERY_S:
                self._logged_at = now
                log.warning("rate limit store unavailable; letting requests through",
                            error=f"{type(exc).__name__}: {exc}")
        return ALLOWED
