"""What the API knows about the services it depends on: one circuit breaker per dependency, the
errors that mean "the dependency is not there" (as opposed to a bug), and the 503 it answers.

A connection-class error is an outage, never a 500: the client should try again later, and the
breaker counts it. Everything else (a constraint, a bug) says the dependency answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import sqlalchemy.exc as sa
from eventsourcing import persistence as es

from arena.api.breaker import BreakerState, CircuitBreaker

DATABASE = "database"  # the event store and the read models: one PostgreSQL
BROKER = "broker"
REDIS = "redis"

# psycopg's OperationalError covers refused and broken connections, the pool's PoolTimeout and
# QueryCanceled (a statement or connect timeout); SQLAlchemy and eventsourcing wrap them.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    psycopg.OperationalError, psycopg.InterfaceError,
    sa.OperationalError, sa.InterfaceError, sa.TimeoutError, sa.DisconnectionError,
    es.OperationalError, es.InterfaceError,
    ConnectionError, TimeoutError,
)


class DependencyDown(Exception):
    """Raised or answered when a dependency is known to be down: 503 with Retry-After."""

    status_code = 503

    def __init__(self, dependency: str, retry_after_s: int, why: str = "is not available") -> None:
        super().__init__(f"the {dependency} {why}; try again in {retry_after_s} s")
        self.dependency = dependency
        self.headers = {"Retry-After": str(retry_after_s)}


def is_connection_error(exc: BaseException) -> bool:
    """True if `exc`, or what it wraps, says a connection failed or timed out."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, CONNECTION_ERRORS):
            return True
        if isinstance(current, sa.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


class DependencyGuard:
    """The API's breakers by dependency; `states()` is what /ready and a later /metrics read."""

    def __init__(self, dependencies: tuple[str, ...] = (DATABASE,), *, failures: int = 3,
                 cool_down_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.breakers = {name: CircuitBreaker(clock, failures, cool_down_s) for name in dependencies}

    def states(self) -> dict[str, str]:
        return {name: breaker.state.value for name, breaker in self.breakers.items()}

    def is_open(self, dependency: str) -> bool:
        breaker = self.breakers.get(dependency)
        return breaker is not None and breaker.state is not BreakerState.CLOSED

    def admit(self, dependency: str) -> None:
        """Raises DependencyDown at once while the dependency's breaker refuses requests."""
        breaker = self.breakers.get(dependency)
        if breaker is not None and not breaker.allow():
            raise DependencyDown(dependency, breaker.retry_after_s())

    def succeeded(self, dependency: str) -> None:
        if breaker := self.breakers.get(dependency):
            breaker.succeeded()

    def failed(self, dependency: str) -> None:
        if breaker := self.breakers.get(dependency):
            breaker.failed()
