"""`arena serve --workers N`: N API processes on one port (production), refused when embedded."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from arena.api.auth import mint_token
from arena.settings import ArenaSettings
from served import wait_until_answering

RABBIT = "amqp://guest:guest@127.0.0.1:5672/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def arena_command(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "arena.cli", *args], env=os.environ | env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def test_workers_serve_one_port_and_share_the_event_store(e2e_postgres_url: str, tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(32)
    env = {"ARENA_DATABASE_URL": e2e_postgres_url, "ARENA_BROKER_URL": RABBIT,
           "ARENA_DATA_DIR": str(tmp_path), "ARENA_JWT_SECRET": secret}
    upgrade = arena_command("db", "upgrade", env=env)  # as an operator does first
    assert upgrade.wait(timeout=60) == 0, upgrade.stderr.read().decode()
    port = free_port()
    server = arena_command("serve", "--port", str(port), "--workers", "2", env=env)
    try:
        root = f"http://127.0.0.1:{port}"
        base = f"{root}/api/v2"
        wait_until_answering(root, server, timeout=30)

        workers = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
        assert len(workers.stdout.split()) >= 2  # uvicorn's supervisor forks one process per worker
        admin = {"Authorization": f"Bearer {mint_token(ArenaSettings(jwt_secret=secret), 'ada', 'admin')}"}
        # The first command of each worker may wait for its language detection (JVMs take seconds).
        created = [httpx.post(f"{base}/battles", json={"title": f"worker {i}"}, headers=admin, timeout=60)
                   for i in range(6)]  # whichever worker takes each, they share the store
        assert [response.status_code for response in created] == [201] * 6
        for response in created:
            battle = httpx.get(f"{base}/battles/{response.json()['id']}", headers=admin)
            assert battle.status_code == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_workers_are_refused_on_the_embedded_default(tmp_path: Path) -> None:
    done = arena_command("serve", "--workers", "2", env={"ARENA_DATA_DIR": str(tmp_path)})
    _, stderr = done.communicate(timeout=30)
    assert done.returncode == 2
    assert b"--workers needs ARENA_DATABASE_URL" in stderr
