"""Abuse limits (docs/adr/0011): per-user rates on mutating routes and submissions, a per-user cap
on submissions in flight, per-IP rates on anonymous routes; one middleware applies them all."""

from arena.api.limits.memory import InProcessLimiter
from arena.api.limits.middleware import rate_limit_middleware
from arena.api.limits.rules import Decision, InFlight, Limiter, Quota, Rate, in_flight_key


def limiter_from_settings(settings) -> Limiter:
    """Redis when ARENA_REDIS_URL is set (limits shared by every API process), else in-process."""
    if settings.redis_url:
        from arena.api.limits.redis_store import RedisLimiter

        return RedisLimiter.from_url(settings.redis_url)
    return InProcessLimiter()


__all__ = ["Decision", "InFlight", "InProcessLimiter", "Limiter", "Quota", "Rate", "in_flight_key",
           "limiter_from_settings", "rate_limit_middleware"]
