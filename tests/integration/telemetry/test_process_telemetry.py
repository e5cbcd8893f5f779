"""Issue 12, findings 6 and 7, on real processes: `arena relay`, `arena worker` and `arena judge`
serve /metrics on ARENA_METRICS_PORT, and every line they log is JSON, with the trace of the
span it was logged in. A battle is played through them: the judge's verdicts are counted by
kind, the worker's projections and verdict recordings by outcome, the relay's lag falls to 0."""

from __future__ import annotations

import json
import re
import socket

import httpx
from prometheus_client.parser import text_string_to_metric_families

from arena.bootstrap import Arena
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.projections.submissions import get_submission
from outages import Outages, Process, eventually
from test_embedded_judging import PROBLEM  # the same Echo problem



def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value}; {} while the process is not serving yet."""
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except httpx.TransportError:
        return {}
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(metrics: dict, name: str, **labels: str) -> float | None:
    return metrics.get((name, tuple(sorted(labels.items()))))


def start_battle(arena: Arena):
    arena.problems.upload(PROBLEM)
    battle_id = arena.app.create_battle("admin", BattleSettings(title="metrics", languages=("python",)))
    arena.app.attach_problem(battle_id, "echo", by=Admin("admin"))
    arena.app.open_lobby(battle_id, by=Admin("admin"))
    arena.app.join(battle_id, "ada")
    arena.app.start_battle(battle_id, by=Admin("admin"))
    return battle_id


def every_line_is_json(process: Process) -> list[dict]:
    lines = [line for line in process.log_path.read_text(errors="replace").splitlines() if line.strip()]
    assert lines, "the process logged nothing"
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON line: {line[:300]!r}") from None
    return parsed


def test_processes_export_their_metrics_and_log_json_lines_with_the_trace(outages: Outages, arena: Arena) -> None:
    ports = {name: free_port() for name in ("relay", "worker", "judge")}
    relay = outages.start("relay", ARENA_METRICS_PORT=str(ports["relay"]))
    worker = outages.start("worker", "--only", "projections,commands", ARENA_METRICS_PORT=str(ports["worker"]),
                           ARENA_METRICS_QUEUE_EVERY_S="0.5")
    judge = outages.start("judge", ARENA_METRICS_PORT=str(ports["judge"]), ARENA_METRICS_QUEUE_EVERY_S="0.5")
    eventually(lambda: worker.said("consuming") and judge.said("consuming") and relay.said("relay.started"),
               timeout=90)

    battle_id = start_battle(arena)
    accepted = arena.app.submit(battle_id, "ada", "echo", "python", "print(input())")
    wrong = arena.app.submit(battle_id, "ada", "echo", "python", "print(0)")
    eventually(lambda: (get_submission(arena.engine, accepted) or {}).get("verdict") == "AC"
               and (get_submission(arena.engine, wrong) or {}).get("verdict") == "WA", timeout=120)

    # The judge: one verdict of each kind, two judgings timed, its queue sampled.
    judged = eventually(lambda: (m := scrape(ports["judge"])) and value(m, "arena_judge_seconds_count") == 2 and m)
    assert value(judged, "arena_verdicts_total", verdict="AC") == 1
    assert value(judged, "arena_verdicts_total", verdict="WA") == 1
    assert value(judged, "arena_messages_total", queue="judge.requests", outcome="ok") == 2
    eventually(lambda: value(scrape(ports["judge"]), "arena_queue_consumers", queue="judge.requests") == 1)
    # The worker: both verdicts recorded, events projected, and the projections caught up.
    worked = eventually(lambda: (m := scrape(ports["worker"]))
                        and value(m, "arena_messages_total", queue="arena.commands", outcome="ok") == 2
                        and value(m, "arena_log_lag_events", reader="projections") == 0 and m)
    assert value(worked, "arena_messages_total", queue="arena.projections", outcome="ok") >= 7
    assert value(worked, "arena_event_age_seconds_count", queue="arena.projections") >= 7
    assert value(worked, "arena_dependency_up", dependency="broker") == 1
    # The relay: every stored event published, nothing left behind.
    stored = arena.app.recorder.max_notification_id()
    relayed = eventually(lambda: (m := scrape(ports["relay"]))
                         and value(m, "arena_log_lag_events", reader="relay") == 0 and m)
    assert value(relayed, "arena_relay_published_total") == stored
    assert value(relayed, "arena_dependency_up", dependency="database") == 1

    # Every line each process wrote is one JSON object; the judge's, logged inside the span of
    # the delivery it handled, carry that span's ids.
    for process in (relay, worker, judge):
        every_line_is_json(process)
    lines = [line for line in every_line_is_json(judge) if line.get("event") == "judged"]
    assert len(lines) == 2
    for line in lines:
        assert re.fullmatch(r"[0-9a-f]{32}", line["trace_id"]) and line["trace_id"] != "0" * 32
        assert re.fullmatch(r"[0-9a-f]{16}", line["span_id"])
    assert lines[0]["trace_id"] != lines[1]["trace_id"]  # appended outside a request: a trace each


def test_the_scheduler_heartbeat_moves_with_each_sweep(outages: Outages) -> None:
    port = free_port()
    outages.start("scheduler", "--every", "0.5", ARENA_METRICS_PORT=str(port))
    first = eventually(lambda: (m := scrape(port)) and (value(m, "arena_scheduler_sweeps_total") or 0) >= 1 and m)
    later = eventually(lambda: (m := scrape(port)) and value(m, "arena_scheduler_sweeps_total")
                       > value(first, "arena_scheduler_sweeps_total") and m)
    assert value(later, "arena_scheduler_heartbeat_timestamp_seconds") > \
        value(first, "arena_scheduler_heartbeat_timestamp_seconds") > 0
