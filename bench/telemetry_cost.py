"""What telemetry costs the commands workload: commands/s with tracing exporting vs not, same run.

The workload is bench/limits_cost.py's (itself bench/commands_throughput.py's): 32 clients, each
changing its own battle with `PATCH /api/v2/battles/{id}` (a JWT per client) through the whole
API app in process — edge, request context, metrics middleware, auth, body and idempotency
middlewares, the OpenTelemetry server span, the route handler, ArenaApplication, one event
appended on PostgreSQL, group commit on — spread over one process per core. The limits are off
(their cost is limits_cost.py's figure). Prometheus metrics run on every side: they are always on.
  bare: no tracer provider at all (OpenTelemetry's no-op API): what telemetry absent would cost.
  off:  configure_tracing with no OTEL_* variable, the default: a provider, no exporter, spans
        not recorded but their trace context still stored with events and put on log lines.
  on:   OTEL_TRACES_EXPORTER=console: every span recorded, batched, serialised to JSON and written
        (to /dev/null), the work an OTLP exporter does short of the network.
Rounds alternate bare, off, on, bare, ... so that the machine's drifting load hits all alike; the
API processes' CPU time per command is printed too, steadier than a rate on a shared machine.
Usage: python bench/telemetry_cost.py [--clients 32] [--commands 8000] [--processes N] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from bench_db import migrated_database
from limits_cost import OFF as LIMITS_OFF
from limits_cost import http_commands
from limits_cost import in_processes as limits_in_processes

SIDES = {"bare": None, "off": {}, "on": {"OTEL_TRACES_EXPORTER": "console"}}


def _process(url: str, clients: int, per_client: int, start, results, otel_env: dict | None, secret: str) -> None:
    from arena.logging import configure_logging
    from arena.settings import ArenaSettings
    from arena.telemetry import configure_tracing

    configure_logging(ArenaSettings(log_level="WARNING", log_json=False))
    if otel_env is not None:
        os.environ.update(otel_env)
        # The console exporter's output: written, not shown (its stream is bound at import).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        configure_tracing(ArenaSettings(), "api")
    results.put(http_commands(url, clients, per_client, start, LIMITS_OFF, secret))


def in_processes(url: str, clients: int, per_client: int, processes: int, otel_env: dict | None,
                 ) -> tuple[float, float]:
    """(commands/s, API CPU ms per command); every answer must be 200."""
    return limits_in_processes(url, clients, per_client, processes, otel_env, target=_process)


def _ratios(top: list[float], bottom: list[float]) -> str:
    ratios = [a / b for a, b in zip(top, bottom)]
    return f"{statistics.median(ratios):.0%} (rounds: {', '.join(f'{r:.0%}' for r in ratios)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--commands", type=int, default=8000, help="total per side and round")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    per_client = max(1, args.commands // args.clients)
    rates: dict[str, list[float]] = {side: [] for side in SIDES}
    cpu: dict[str, list[float]] = {side: [] for side in SIDES}
    with migrated_database() as url:
        for _ in range(args.rounds):
            for side, otel_env in SIDES.items():
                rate, cpu_ms = in_processes(url, args.clients, per_client, args.processes, otel_env)
                rates[side].append(rate)
                cpu[side].append(cpu_ms)
    print(f"clients={args.clients} over processes={args.processes}, commands={args.clients * per_client} "
          f"per side and round, through the API app (PATCH /api/v2/battles/{{id}}), group commit, limits off")
    for side, label in (("bare", "no tracer provider (telemetry absent)"),
                        ("off", "no exporter (the default)"), ("on", "console exporter, every span")):
        runs = ", ".join(f"{value:,.0f}" for value in rates[side])
        print(f"{label:<40} {statistics.median(rates[side]):8,.0f} commands/s (rounds: {runs}); "
              f"API CPU {statistics.median(cpu[side]):.3f} ms/command")
    print(f"off/bare: {_ratios(rates['off'], rates['bare'])}; goal: not measurable (within the noise)")
    print(f"on/off:   {_ratios(rates['on'], rates['off'])}")
    print(f"API CPU per command, off vs bare: {_ratios(cpu['off'], cpu['bare'])}; on vs off: "
          f"{_ratios(cpu['on'], cpu['off'])}")


if __name__ == "__main__":
    main()
