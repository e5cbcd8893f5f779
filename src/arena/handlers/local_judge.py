"""The embedded default's judge: submissions seen on the local bus are judged on a background
event loop (never in the request that saved them) and their verdicts recorded through the app;
uploaded packages are verified there too (verify_packages, docs/adr/0027)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from collections.abc import Callable
from concurrent.futures import Future
from uuid import UUID

import structlog

from arena.bus.envelope import EventEnvelope
from arena.handlers.package_verification import verify_next
from arena.handlers.judging import (REJUDGE_REQUESTED, SUBMISSION_RECEIVED, ProblemsByHash, RecordsVerdicts,
                                    internal_error, judge_request, record_verdict, verdict_ready)
from arena.judge.worker import Judge
from arena.metrics import judged
from arena.problems.store import ProblemStore

log = structlog.get_logger("arena.judge")
JUDGINGS = (SUBMISSION_RECEIVED, REJUDGE_REQUESTED)


class LocalJudge:
    def __init__(self, make_judge: Callable[[], Judge], problems: ProblemsByHash,
                 app: RecordsVerdicts, key: bytes, packages: ProblemStore | None = None) -> None:
        self.problems = problems
        self.packages = packages  # whose pending package verifications this judge drains
        self.app = app
        self.key = key  # signs like `arena judge` does, so a verdict has one way in
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="arena-judge", daemon=True)
        self._thread.start()
        self._judge = asyncio.run_coroutine_threadsafe(_build(make_judge), self._loop).result()
        self._pending: set[Future] = set()
        self._verifying = asyncio.Lock()  # bound to the judge's loop on first use
        self._lock = threading.Lock()

    def __call__(self, event: EventEnvelope) -> None:
        """Local-bus handler: queue a judging for every received submission and every rejudge."""
        future = asyncio.run_coroutine_threadsafe(self._judge_and_record(event), self._loop)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def verify_packages(self) -> None:
        """Verifies every pending uploaded package, one after the other, on the judge's loop: the
        API calls it after an upload, bootstrap at start (a request left by a stop is kept)."""
        if self.packages is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._verify_pending(), self._loop)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    async def _verify_pending(self) -> None:
        async with self._verifying:  # one drain at a time: the lease below is no lease at all
            # This process is the only judge: a claim it holds from before a stop is stale.
            while await verify_next(self.packages, self._judge, lease=timedelta(0)):
                pass

    def requeue(self, fetch: Callable[[UUID, int, int], list[EventEnvelope]],
                unjudged: list[tuple[str, str]]) -> None:
        """Queues again the submissions waiting for a verdict, each for its latest judging (its
        receipt, or its latest rejudge); recording a verdict twice is a no-op."""
        for room_player_id, submission_id in unjudged:
            latest = None
            for event in fetch(UUID(room_player_id), 0, 2**31 - 1):
                if event.routing_key in JUDGINGS and event.data["submission_id"] == submission_id:
                    latest = event
            if latest is not None:
                self(latest)

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Blocks until every queued judging has recorded its verdict (the demo and tests use it)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result(timeout=timeout)

    def close(self, drain_s: float = 60.0) -> None:
        """Lets the judgings under way finish first (bounded): a sandbox closed under a running
        judging left its clean-up coroutines to a stopped loop, never run."""
        try:
            self.wait_idle(timeout=drain_s)
        except Exception:  # a judging that fails or overruns is requeued at the next start
            log.warning("judge closed with judgings still under way")
        asyncio.run_coroutine_threadsafe(self._judge.close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _judge_and_record(self, event: EventEnvelope) -> None:
        submission_id = event.data["submission_id"]
        with structlog.contextvars.bound_contextvars(submission_id=submission_id,
                                                     battle_id=str(event.data["battle_id"])):
            started = time.perf_counter()
            try:
                request = await asyncio.to_thread(judge_request, event, self.problems)
                verdict = verdict_ready(event, await self._judge.judge(request))
            except Exception as exc:  # never leave a submission without a verdict
                log.exception("judge failure")
                verdict = internal_error(event, repr(exc))
            judged(verdict.verdict, time.perf_counter() - started)
            await asyncio.to_thread(record_verdict, verdict.signed(self.key), self.app, self.key)
            log.info("judged", verdict=verdict.verdict)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)
        if future.exception() is not None:
            log.error("judging failed", error=repr(future.exception()))


async def _build(make_judge: Callable[[], Judge]) -> Judge:
    return make_judge()  # inside the loop: the judge's semaphore belongs to this loop
