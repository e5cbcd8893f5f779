"""How long the API takes to answer during a database outage (issue 12, finding 3; ADR 0019).

The API runs on a local port (uvicorn, as in the e2e tests) on a throwaway database, reached
through the outage tests' TCP proxy (tests/integration/resilience/proxy.py), so the outage is
this database's only. For each phase (up, refused, blackholed, back) every route is asked
`--rounds` times in turn, one request at a time, and the status counts and the latencies (median,
max) are printed per route. Done means: during an outage every answer is 503 or a success
within 2 s.
Usage: python bench/outage_answers.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "integration" / "resilience"))
from proxy import BLACKHOLE, PASS, REFUSE, TcpProxy  # noqa: E402

from bench_db import migrated_database  # noqa: E402


def routes(battle_id: str) -> dict[str, tuple[str, str, dict]]:
    return {
        "GET /battles (read model)": ("GET", "/api/v2/battles/", {}),
        "GET /battles/{id} (event store)": ("GET", f"/api/v2/battles/{battle_id}", {}),
        "POST /battles": ("POST", "/api/v2/battles/", {"json": {"title": "bench"}}),
        "POST /battles + Idempotency-Key": ("POST", "/api/v2/battles/", {"json": {"title": "bench"}, "key": True}),
        "GET /ready": ("GET", "/ready", {}),
        "GET /api/v2/languages": ("GET", "/api/v2/languages", {}),
    }


def phase(http: httpx.Client, headers: dict[str, str], battle_id: str, rounds: int) -> dict[str, list]:
    seen: dict[str, list] = {name: [] for name in routes(battle_id)}
    for _ in range(rounds):
        for name, (method, path, options) in routes(battle_id).items():
            extra = {"Idempotency-Key": uuid.uuid4().hex} if options.get("key") else {}
            started = time.monotonic()
            response = http.request(method, path, headers={**headers, **extra}, json=options.get("json"))
            seen[name].append((response.status_code, time.monotonic() - started))
    return seen


def report(title: str, seen: dict[str, list]) -> float:
    print(f"-- {title}")
    worst = 0.0
    for name, answers in seen.items():
        times = [elapsed for _, elapsed in answers]
        statuses = ", ".join(f"{status}×{count}" for status, count in sorted(Counter(s for s, _ in answers).items()))
        worst = max(worst, max(times))
        print(f"   {name:34} {statuses:22} median {statistics.median(times) * 1000:7.1f} ms   "
              f"max {max(times) * 1000:7.1f} ms")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    from arena.api.app import create_app
    from arena.api.auth import mint_token
    from arena.api.server import start_in_thread
    from arena.bootstrap import bootstrap
    from arena.logging import configure_logging
    from arena.settings import ArenaSettings

    configure_logging(ArenaSettings(log_level="ERROR", log_json=False))
    with migrated_database() as url, TcpProxy("127.0.0.1", 5432) as proxy:
        parts = urlsplit(url)
        through = urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"))
        settings = ArenaSettings(database_url=through, broker_url="amqp://guest:guest@127.0.0.1:5672/",
                                 data_dir=tempfile.mkdtemp(prefix="arena-bench-"), jwt_secret=secrets.token_urlsafe(32),
                                 db_pool_size=1, db_max_overflow=4, rate_mutations="0/60", rate_anonymous="0/60")
        arena = bootstrap(settings, judge=False, timers=False)
        server, base_url = start_in_thread(create_app(arena))
        headers = {"Authorization": f"Bearer {mint_token(settings, 'admin-1', 'admin')}"}
        try:
            with httpx.Client(base_url=base_url, timeout=120) as http:
                http.get("/api/v2/languages")  # the start-up's detection, once
                battle_id = http.post("/api/v2/battles/", json={"title": "bench"}, headers=headers).json()["id"]
                report("database up", phase(http, headers, battle_id, args.rounds))
                worst = 0.0
                for title, mode in (("database refusing connections", REFUSE), ("database blackholed", BLACKHOLE)):
                    proxy.set_mode(mode)
                    worst = max(worst, report(title, phase(http, headers, battle_id, args.rounds)))
                    proxy.set_mode(PASS)
                    time.sleep(settings.breaker_cool_down_s)  # the breaker's probe is let through
                    report("database back", phase(http, headers, battle_id, 2))
                print(f"slowest answer during an outage: {worst * 1000:.0f} ms (bound: 2000 ms)")
        finally:
            proxy.set_mode(PASS)
            server.should_exit = True
            arena.close()


if __name__ == "__main__":
    main()
