"""The abuse limiter's stores (docs/adr/0011): the rules, Redis, in-process. Below the API so that
bootstrap builds one limiter per process and both the API's middleware and the verdict handler
(which frees a submission's in-flight slot) use it."""

from arena.limits.memory import InProcessLimiter
from arena.limits.rules import Decision, InFlight, Limiter, Quota, Rate, in_flight_key


def limiter_from_settings(settings) -> Limiter:
    """Redis when ARENA_REDIS_URL is set (limits shared by every API process), else in-process."""
    if settings.redis_url:
        from arena.limits.redis_store import RedisLimiter

        return RedisLimiter.from_url(settings.redis_url)
    return InProcessLimiter()


__all__ = ["Decision", "InFlight", "InProcessLimiter", "Limiter", "Quota", "Rate", "in_flight_key",
           "limiter_from_settings"]
