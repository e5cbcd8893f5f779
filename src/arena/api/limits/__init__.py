"""Abuse limits at the edge (docs/adr/0011): one middleware applies every limit; the stores it
checks against live in arena.limits, built once per process by bootstrap."""

from arena.api.limits.middleware import rate_limit_middleware

__all__ = ["rate_limit_middleware"]
