"""The API's circuit breaker as a state machine (no I/O, a clock of the test's own), and what the
dependency guard counts as an outage."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy.exc as sa
from eventsourcing.persistence import IntegrityError, OperationalError

from arena.api.breaker import BreakerState, CircuitBreaker
from arena.api.dependency_guard import DATABASE, DependencyDown, DependencyGuard, is_connection_error


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def opened(clock: Clock, failures: int = 3, cool_down_s: float = 5.0) -> CircuitBreaker:
    breaker = CircuitBreaker(clock, failures, cool_down_s)
    for _ in range(failures):
        breaker.failed()
    return breaker


def test_breaker_opens_after_the_given_failures_in_a_row() -> None:
    breaker = CircuitBreaker(Clock(), failures=3)
    breaker.failed()
    breaker.failed()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_a_success_between_failures_keeps_the_breaker_closed() -> None:
    breaker = CircuitBreaker(Clock(), failures=3)
    for _ in range(10):
        breaker.failed()
        breaker.failed()
        breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED


def test_an_open_breaker_refuses_until_its_cool_down_then_lets_one_probe_through() -> None:
    clock = Clock()
    breaker = opened(clock, cool_down_s=5.0)
    clock.now += 4.9
    assert not breaker.allow()
    assert breaker.retry_after_s() == 1
    clock.now += 0.2
    assert breaker.allow()  # the probe
    assert breaker.state is BreakerState.HALF_OPEN
    assert not breaker.allow()  # everyone else waits for the probe


def test_a_probe_that_succeeds_closes_the_breaker() -> None:
    clock = Clock()
    breaker = opened(clock)
    clock.now += 5
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow() and breaker.allow()


def test_a_probe_that_fails_opens_the_breaker_for_another_cool_down() -> None:
    clock = Clock()
    breaker = opened(clock, cool_down_s=5.0)
    clock.now += 5
    assert breaker.allow()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    assert breaker.retry_after_s() == 5
    clock.now += 1
    assert not breaker.allow()


def test_a_probe_that_never_reports_is_replaced_after_a_cool_down() -> None:
    clock = Clock()
    breaker = opened(clock, cool_down_s=5.0)
    clock.now += 5
    assert breaker.allow()
    clock.now += 5
    assert breaker.allow()  # the first probe was lost: another goes out


def test_retry_after_counts_down_in_whole_seconds() -> None:
    clock = Clock()
    breaker = opened(clock, cool_down_s=5.0)
    clock.now += 1.5
    assert breaker.retry_after_s() == 4


def test_a_breaker_needs_sensible_bounds() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(Clock(), failures=0)


def test_the_guard_refuses_with_retry_after_once_the_database_breaker_opens() -> None:
    clock = Clock()
    guard = DependencyGuard(failures=2, cool_down_s=3.0, clock=clock)
    guard.admit(DATABASE)
    guard.failed(DATABASE)
    guard.failed(DATABASE)
    assert guard.states() == {DATABASE: "open"}
    with pytest.raises(DependencyDown) as refused:
        guard.admit(DATABASE)
    assert refused.value.headers == {"Retry-After": "3"} and refused.value.dependency == DATABASE
    clock.now += 3
    guard.admit(DATABASE)  # the probe
    guard.succeeded(DATABASE)
    assert guard.states() == {DATABASE: "closed"}


def _wrapped(inner: BaseException, outer: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer from exc
    except BaseException as caught:
        return caught


@pytest.mark.parametrize("error", [
    psycopg.OperationalError("connection refused"),
    psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
    sa.TimeoutError("QueuePool limit reached, connection timed out"),
    OperationalError("couldn't get a connection after 30.00 sec"),
    ConnectionResetError(),
    _wrapped(psycopg.OperationalError("server closed the connection"), RuntimeError("a release failed")),
])
def test_connection_class_errors_count_as_an_outage(error: BaseException) -> None:
    assert is_connection_error(error)


@pytest.mark.parametrize("error", [ValueError("a bug"), IntegrityError("duplicate key"),
                                   psycopg.errors.UniqueViolation("duplicate key")])
def test_other_errors_are_not_an_outage(error: BaseException) -> None:
    assert not is_connection_error(error)
