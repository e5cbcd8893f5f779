"""200 submissions fired at once at one worker: all judged, none twice, no slot leaked."""

import asyncio
from collections import Counter

from arena.judge.sandbox import Job, Report
from arena.judge.worker import Judge
from judge_helpers import judged, leftover_sandbox_processes, leftover_session_cgroups, sum_problem
from judge_programs import PROGRAMS


class CountingSandbox:
    """Wraps the real sandbox to record how many sessions run at once and for whom."""

    def __init__(self, inner) -> None:
        self.inner, self.name = inner, inner.name
        self.running = self.peak = 0
        self.sources: Counter[bytes] = Counter()

    async def execute(self, job: Job) -> Report:
        self.running += 1
        self.peak = max(self.peak, self.running)
        self.sources[job.source] += 1
        try:
            return await self.inner.execute(job)
        finally:
            self.running -= 1

    async def close(self) -> None:
        return None


async def test_two_hundred_rapid_submissions_are_each_judged_once_without_leaking_a_slot(judge):
    counting = CountingSandbox(judge.sandbox)
    worker = Judge(sandbox=counting, slots=2)
    problem = sum_problem(tests=1)
    # Each source is unique, so the sandbox's own log shows whether anything ran twice.
    sources = {f"s{i}": PROGRAMS["python"]["AC"] + f"# submission {i}\n" for i in range(200)}

    results = await asyncio.gather(*(judged(worker, "python", src, problem, submission_id=sid)
                                      for sid, src in sources.items()))

    assert sorted(r.submission_id for r in results) == sorted(sources)
    assert Counter(r.verdict for r in results) == Counter({"AC": 200})
    assert set(counting.sources.values()) == {1} and len(counting.sources) == 200
    assert counting.peak <= 2
    assert worker.free_slots == 2
    assert leftover_sandbox_processes() == [] and await leftover_session_cgroups(judge) == []


async def test_free_slots_drop_while_judging_and_come_back_after(judge):
    worker = Judge(sandbox=judge.sandbox, slots=3)
    problem = sum_problem(tests=1, time_limit_ms=300)
    tasks = [asyncio.create_task(judged(worker, "python", PROGRAMS["python"]["TLE"], problem))
             for _ in range(4)]
    while worker.free_slots == 3:
        await asyncio.sleep(0.005)
    assert 0 <= worker.free_slots < 3
    results = await asyncio.gather(*tasks)
    assert {r.verdict for r in results} == {"TLE"}
    assert worker.free_slots == 3


async def test_a_crashing_sandbox_yields_an_internal_error_and_frees_its_slot():
    class Broken:
        name = "broken"

        async def execute(self, job):
            raise RuntimeError("engine went away")

        async def close(self):
            return None

    worker = Judge(sandbox=Broken(), slots=1)
    result = await judged(worker, "python", "print(3)", sum_problem())
    assert result.verdict == "IE" and "engine went away" in result.detail
    assert worker.free_slots == 1
