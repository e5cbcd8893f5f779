"""Issue 12, finding 7: every line a command logs is JSON, the libraries' included — alembic's
during `arena db upgrade`, uvicorn's during `arena serve` — so one log pipeline reads them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path


from test_process_telemetry import free_port
from served import wait_until_answering
from own_services import fresh_database



def arena_command(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "arena.cli", *args], env=os.environ | env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def json_lines(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines:
        assert line.startswith("{"), f"not a JSON line: {line[:300]!r}"
    return [json.loads(line) for line in lines]


def test_alembic_lines_during_db_upgrade_are_json(tmp_path: Path) -> None:
    with fresh_database("arena_logs") as url:  # a database never migrated: alembic has work
        done = arena_command("db", "upgrade", env={"ARENA_DATABASE_URL": url, "ARENA_DATA_DIR": str(tmp_path),
                                                   "ARENA_LOG_LEVEL": "INFO"})
        _, stderr = done.communicate(timeout=120)
    assert done.returncode == 0, stderr
    lines = json_lines(stderr)
    migrations = [line for line in lines if line.get("logger", "").startswith("alembic")]
    assert any("Running upgrade" in line["event"] for line in migrations), lines


def test_uvicorn_lines_of_arena_serve_are_json(tmp_path: Path) -> None:
    port = free_port()
    server = arena_command("serve", "--port", str(port), env={"ARENA_DATA_DIR": str(tmp_path), "ARENA_LOG_LEVEL": "INFO"})
    try:
        wait_until_answering(f"http://127.0.0.1:{port}", server, timeout=60)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, stderr = server.communicate(timeout=60)
    lines = json_lines(stderr)
    served = [line for line in lines if line.get("logger", "").startswith("uvicorn")]
    assert any("Uvicorn running on" in line["event"] for line in served), lines
    assert any(line.get("event") == "request" and line.get("path") == "/health" for line in lines)
