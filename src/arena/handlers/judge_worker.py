"""`arena judge`: judge each received submission and publish its signed verdict to judge.results.

Prefetch equals the judge's slots, so the broker never hands this worker more submissions than
it has sandboxes for; the rest wait in the queue for whichever worker frees a slot first.
"""

from __future__ import annotations

import time

import structlog
from faststream.rabbit import RabbitBroker

from arena.bus.envelope import EventEnvelope
from arena.bus.publish import publish_confirmed
from arena.bus.relay import correlation_headers
from arena.bus.topology import WORK, Topology
from arena.handlers.judging import ProblemsByHash, internal_error, judge_request, verdict_ready
from arena.judge.worker import Judge
from arena.metrics import judged

log = structlog.get_logger("arena.judge")


async def judge_and_publish(event: EventEnvelope, judge: Judge, problems: ProblemsByHash,
                            broker: RabbitBroker, topology: Topology, key: bytes) -> None:
    """Judge a stored SubmissionReceived and publish its verdict, signed with the judges' `key`."""
    submission_id = event.data["submission_id"]
    with structlog.contextvars.bound_contextvars(submission_id=submission_id,
                                                 battle_id=str(event.data["battle_id"])):
        started = time.perf_counter()
        try:
            verdict = verdict_ready(event, await judge.judge(judge_request(event, problems)))
        except Exception as exc:  # the judge's fault (e.g. a missing problem): IE, not a loss
            log.exception("judge failure")
            verdict = internal_error(event, repr(exc))
        judged(verdict.verdict, time.perf_counter() - started)
        await publish_confirmed(broker, verdict.signed(key).model_dump_json().encode(),
                                exchange=topology.exchange(WORK), routing_key="judge.results",
                                message_id=f"verdict:{submission_id}",
                                headers=correlation_headers(event))  # the submission's request
        log.info("judged", verdict=verdict.verdict)
