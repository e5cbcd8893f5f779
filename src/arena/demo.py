"""`arena demo`: a whole battle on the embedded default, played through the public HTTP API."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from arena.api.app import create_app
from arena.api.auth import mint_token
from arena.api.server import start_in_thread
from arena.bootstrap import bootstrap
from arena.demo_live import LiveListener
from arena.logging import configure_logging
from arena.settings import ArenaSettings

PROBLEMS = {
    "sum": """---
title: Sum of two
slug: sum
points: 100
time_limit_ms: 1000
samples:
  - {input: "1 2\\n", output: "3\\n"}
tests:
  - {input: "20 22\\n", output: "42\\n"}
  - {input: "-5 5\\n", output: "0\\n"}
---
Read two integers and print their sum.
""",
    "max": """---
title: Largest number
slug: max
points: 200
samples:
  - {input: "3\\n1 7 2\\n", output: "7\\n"}
tests:
  - {input: "1\\n-4\\n", output: "-4\\n"}
---
Read n, then n integers; print the largest.
""",
}

SUBMISSIONS = [  # (player, problem, language, source): one accepted, one wrong, one not compiling
    ("ada", "sum", "python", "a, b = map(int, input().split())\nprint(a + b)\n"),
    ("grace", "sum", "python", "a, b = map(int, input().split())\nprint(a - b)\n"),
    ("linus", "sum", "c", "#include <stdio.h>\nint main(void) { int a, b; scanf(\"%d %d\", &a, &b) printf(\"%d\\n\", a + b); }\n"),
]


def run_demo(settings: ArenaSettings, keep_data_dir: str | None = None) -> int:
    data_dir = Path(keep_data_dir) if keep_data_dir else Path(tempfile.mkdtemp(prefix="arena-demo-"))
    # The embedded default: no database, no broker, whatever the environment says.
    settings = settings.model_copy(update={"data_dir": data_dir, "database_url": None, "broker_url": None,
                                           "log_level": "WARNING"})
    configure_logging(settings)
    arena = bootstrap(settings)
    server, base_url = start_in_thread(create_app(arena))
    try:
        _play(base_url, settings)
        print(f"events in the event store: {arena.app.recorder.max_notification_id()}")
        return 0
    finally:
        server.should_exit = True
        arena.close()
        if not keep_data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def _play(base_url: str, settings: ArenaSettings) -> None:
    def auth(user: str, role: str = "player") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(settings, user, role)}"}

    admin = auth("admin", "admin")
    with httpx.Client(base_url=f"{base_url}/api/v2", timeout=30) as api:
        for document in PROBLEMS.values():
            _ok(api.post("/problems", content=document, headers={**admin, "Content-Type": "text/markdown"}))
        battle = _ok(api.post("/battles", json={"title": "Demo battle", "languages": ["python", "c"],
                                                "scoring": "icpc", "max_players": 3, "duration_s": 600},
                              headers=admin))
        battle_id = battle["id"]
        for slug in PROBLEMS:
            _ok(api.post(f"/battles/{battle_id}/problems", json={"slug": slug}, headers=admin))
        _ok(api.post(f"/battles/{battle_id}/lobby", headers=admin))
        for player in ("ada", "grace", "linus"):
            _ok(api.post(f"/battles/{battle_id}/join", headers=auth(player)))
        live = LiveListener(base_url, battle_id, mint_token(settings, "ada", "player"))  # ada's browser tab
        _ok(api.post(f"/battles/{battle_id}/start", headers=admin))
        submitted = []
        for player, problem, language, source in SUBMISSIONS:
            submission = _ok(api.post(f"/battles/{battle_id}/submissions", headers=auth(player),
                                      json={"problem": problem, "language": language, "source": source}))
            submitted.append((player, problem, language, submission["id"]))
        for player, problem, language, submission_id in submitted:
            judged = _wait_for_verdict(api, submission_id, auth(player))
            print(f"{player:>6} {problem} in {language:<6} -> {judged['verdict']}")
        _ok(api.post(f"/battles/{battle_id}/end", headers=admin))
        live.until_ended()
        live.print("ada")
        _print("battle", _ok(api.get(f"/battles/{battle_id}", headers=admin)))
        _print("room", _ok(api.get(f"/battles/{battle_id}/room", headers=admin)))
        _print_scoreboard(_ok(api.get(f"/battles/{battle_id}/scoreboard", headers=admin)))
        _print_settlement(api, battle_id, auth("auditor", "auditor"))


def _print_settlement(api: httpx.Client, battle_id: str, auditor: dict[str, str]) -> None:
    """What an auditor reads once the battle is settled: the settlement, its ledger rows and
    the players' ratings (the embedded bus settles in process, right after the end)."""
    deadline = time.monotonic() + 30
    while (settlement := _ok(api.get(f"/battles/{battle_id}/settlement", headers=auditor),
                             allow=(404,)))["status"] != "applied":
        if time.monotonic() > deadline:
            raise SystemExit(f"demo failed: the battle was not settled within 30 s ({settlement})")
        time.sleep(0.1)
    print(f"--- settlement (revision {settlement['revision']}, {settlement['status']}, season "
          f"{settlement['season']})\nresult hash {settlement['result_hash']}")
    print(f"--- ledger\n{'rank':>4}  {'player':<8} {'points':>6}  idempotency key")
    for row in _ok(api.get("/ledger", params={"battle": battle_id}, headers=auditor))["rows"]:
        print(f"{row['rank']:>4}  {row['user_id']:<8} {row['points']:>6}  {row['idempotency_key']}")
    print(f"--- ratings\n{'player':<8} {'before':>6} {'after':>6}")
    for player in ("ada", "grace", "linus"):
        rating = _ok(api.get(f"/users/{player}/rating", headers=auditor))
        change = rating["history"][0]
        print(f"{player:<8} {change['before']:>6} {change['after']:>6}")


def _wait_for_verdict(api: httpx.Client, submission_id: str, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        submission = _ok(api.get(f"/submissions/{submission_id}", headers=headers))
        if submission["status"] == "judged":
            return submission
        time.sleep(0.1)
    raise SystemExit(f"demo failed: submission {submission_id} was not judged within 120 s")


def _ok(response: httpx.Response, allow: tuple[int, ...] = ()) -> Any:
    if response.status_code in allow:
        return {"status": f"not yet ({response.status_code})"}
    if response.status_code >= 400:
        raise SystemExit(f"demo failed: {response.request.method} {response.request.url} -> "
                         f"{response.status_code} {response.text}")
    return response.json()


def _print_scoreboard(board: dict) -> None:
    print(f"--- scoreboard ({board['scoring']})")
    print(f"{'rank':>4}  {'player':<8} {'solved':>6} {'penalty':>7} {'points':>6}")
    for row in board["rows"]:
        print(f"{row['rank']:>4}  {row['user_id']:<8} {row['solved']:>6} {row['penalty']:>7} {row['points']:>6}")


def _print(title: str, body: Any) -> None:
    print(f"--- {title}\n{json.dumps(body, indent=2)}")
