"""The in-process judge: N sandbox slots, never more than N submissions running at once.

The bus consumer asks `free_slots` to size its prefetch, so a worker never takes more work than
it can start; `judge()` itself also waits for a slot, so a caller that ignores that is still safe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from arena.judge.interactive import judge_interactive
from arena.judge.languages import Language, cached_languages
from arena.judge.output_validator import ValidatorCache
from arena.judge.runner import COMPILE_TIME_MS, JudgeResult, TestResult, judge_submission
from arena.judge.sandbox import Sandbox, SandboxError
from arena.judge.verdicts import Verdict
from arena.problems.model import Problem

__all__ = ["Judge", "JudgeRequest", "JudgeResult", "TestResult"]

log = logging.getLogger(__name__)


class JudgeRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    submission_id: str
    language: str
    source: str
    problem: Problem


class Judge:
    def __init__(
        self,
        sandbox: Sandbox,
        slots: int,
        languages: Mapping[str, Language] | None = None,
        compile_time_ms: int = COMPILE_TIME_MS,
        validators: ValidatorCache | None = None,
    ) -> None:
        if slots < 1:
            raise ValueError("a judge needs at least one slot")
        self.sandbox = sandbox
        self.slots = slots
        self._languages = languages
        self._compile_time_ms = compile_time_ms
        self._validators = validators or ValidatorCache()  # built custom validators, by hash
        self._slots = asyncio.Semaphore(slots)
        self._busy = 0

    @property
    def free_slots(self) -> int:
        return self.slots - self._busy

    async def judge(self, request: JudgeRequest) -> JudgeResult:
        """Compile once and run every test in one sandbox session; always returns a verdict."""
        if self._languages is None:  # detection runs version commands: keep it off the loop
            self._languages = await asyncio.to_thread(cached_languages)
        language = self._languages.get(request.language)
        if language is None:
            return JudgeResult(submission_id=request.submission_id, verdict=Verdict.CE,
                               compile_output=f"language {request.language!r} is not available")
        async with self._slots:
            self._busy += 1
            try:
                judging = judge_interactive if request.problem.interactive else judge_submission
                return await judging(self.sandbox, language, request.submission_id, request.source,
                                     request.problem, self._compile_time_ms, self._validators)
            except SandboxError as exc:
                log.error("sandbox failure judging %s: %s", request.submission_id, exc)
                return _internal_error(request, str(exc))
            except Exception as exc:  # a judge bug must still yield a verdict, never a lost job
                log.exception("judge failure on %s", request.submission_id)
                return _internal_error(request, repr(exc))
            finally:
                self._busy -= 1

    async def close(self) -> None:
        await self.sandbox.close()


def _internal_error(request: JudgeRequest, detail: str) -> JudgeResult:
    return JudgeResult(submission_id=request.submission_id, verdict=Verdict.IE, detail=detail[:2000])
