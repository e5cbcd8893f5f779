"""The request deadline and the breaker check, for every route under /api/v2 that needs a
dependency (issue 12, finding 3; docs/adr/0019).

A route names what it needs in its opt: `opt={NEEDS: ()}` for none (the languages), by default
the database. While the database's breaker is open such a request is answered 503 with
Retry-After at once, before the Idempotency-Key claim or the handler touch the database.

Otherwise the handler runs as a task of its own, and if it has not started its answer within the
deadline the client gets 503 (Retry-After: 1). The breaker counts how the request ends, on time
or late: a connection-class error is a failure, anything else a success. The task is not
cancelled: a command may be half-way through its append, and cancelling the await would not stop
its thread anyway. It runs to its end in the background with its answer dropped; with an
Idempotency-Key that answer is still stored, so the client's retry learns the real outcome.
"""

from __future__ import annotations

import asyncio
import time

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from arena.api.dependency_guard import DATABASE, DependencyDown, DependencyGuard, is_connection_error
from arena.api.problem_details import DEPENDENCY_FAILED, send_problem
from arena.application.locks import COMMAND_DEADLINE

NEEDS = "needs"  # a route handler's opt: the dependencies it uses
DEADLINE = "deadline_s"  # a route handler's opt: its own deadline (uploads that take longer)
TURN_SHARE = 0.75

log = structlog.get_logger("arena.api")


def dependency_guard_middleware_factory(guard: DependencyGuard, deadline_s: float):
    late: set[asyncio.Task] = set()  # handlers still running after their 503: kept referenced

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            handler = scope.get("route_handler")
            opt = getattr(handler, "opt", None) or {}
            needs = tuple(opt.get(NEEDS, (DATABASE,)))
            if scope["type"] != "http" or not needs:
                await app(scope, receive, send)
                return
            try:
                for dependency in needs:
                    guard.admit(dependency)
            except DependencyDown as down:
                await _send_down(send, scope, down)
                return
            await _warmed_up(scope)
            await _within_deadline(app, scope, receive, send, guard, needs,
                                   float(opt.get(DEADLINE, deadline_s)), late)

        return middleware

    return factory


async def _within_deadline(app: ASGIApp, scope: Scope, receive: Receive, send: Send, guard: DependencyGuard,
                           needs: tuple[str, ...], deadline_s: float, late: set[asyncio.Task]) -> None:
    started = timed_out = False

    async def send_unless_answered(message: Message) -> None:
        nonlocal started
        if timed_out:
            return  # the client has had its 503
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    # A command still queued for its turn at TURN_SHARE of the deadline gives up as Busy (503,
    # nothing changed); the rest of the deadline is for the work of one that got its turn.
    turn = COMMAND_DEADLINE.set(time.monotonic() + TURN_SHARE * deadline_s)
    try:
        task = asyncio.ensure_future(app(scope, receive, send_unless_answered))  # copies the context
    finally:
        COMMAND_DEADLINE.reset(turn)
    try:
        done, _ = await asyncio.wait({task}, timeout=deadline_s)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done and started:  # the answer is on its way (a stream): let it finish
        await task
        done = {task}
    if not done:
        timed_out = True
        late.add(task)
        task.add_done_callback(_count_late(late, guard, needs, scope))
        await _send_down(send, scope, DependencyDown(needs[0], 1, f"did not answer within {deadline_s} s"))
        log.warning("request deadline passed", path=scope["path"], deadline_s=deadline_s)  # answered first
        return
    error = task.exception()
    _count(guard, needs, scope, error)
    if error is not None and is_connection_error(error):  # raised outside the handler (a claim)
        raise DependencyDown(needs[0], 1, "did not answer") from error
    if error is not None:
        raise error


def _count(guard: DependencyGuard, needs: tuple[str, ...], scope: Scope, error: BaseException | None) -> None:
    """The breaker hears how the dependency did: a connection-class error (raised here, or
    answered as 503 by the exception handler, which marks the scope) is a failure; anything
    else, a 4xx or even a bug, means the dependency answered."""
    down = bool(scope.get(DEPENDENCY_FAILED)) or (error is not None and is_connection_error(error))
    for dependency in needs:
        guard.failed(dependency) if down else guard.succeeded(dependency)


def _count_late(late: set[asyncio.Task], guard: DependencyGuard, needs: tuple[str, ...], scope: Scope):
    """A request past its deadline is counted when it ends, not when its 503 went: being slow is
    not being down (commands queued on one battle wait their turn), but a request that then
    fails to connect is."""
    def count(task: asyncio.Task) -> None:
        late.discard(task)
        if task.cancelled():
            return
        error = task.exception()  # retrieved: no "never retrieved" noise
        _count(guard, needs, scope, error)
        if error is not None:
            log.info("a request failed after its deadline", path=scope["path"], error=type(error).__name__)

    return count


async def _warmed_up(scope: Scope) -> None:
    """Waits, outside the deadline, for the language detection that starts with the server
    (controllers/languages.py): commands check languages, and the first ones after a start would
    otherwise spend seconds of version commands against a deadline meant for the database."""
    detecting = scope["app"].state.get("languages")
    if detecting is not None and not detecting.done():
        await asyncio.shield(detecting)


async def _send_down(send: Send, scope: Scope, down: DependencyDown) -> None:
    await send_problem(send, 503, str(down), scope["path"], headers=down.headers, dependency=down.dependency)
