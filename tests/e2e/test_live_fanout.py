"""e2e: two API processes behind one event store and one broker (`arena relay` between them):
each feeds its sockets from its own exclusive queue, and a client on each sees the same events
in the same order; a socket that drops from one resumes on the other with no gap and no
duplicate."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from arena.api.auth import mint_token
from arena.bootstrap import bootstrap
from arena.domain.room_player import room_player_id
from arena.settings import ArenaSettings
from helpers import problem_document, unique
from test_live_socket import receive_until
from test_serve_workers import free_port
from served import wait_until_answering
from own_services import fresh_database, fresh_vhost, rabbitmqctl, unique_name




@pytest.fixture
def services(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A database and a vhost of this test's own."""
    vhost = unique_name("arena-live")
    with fresh_database() as database_url, fresh_vhost(name=vhost) as broker_url:
        yield {"ARENA_DATABASE_URL": database_url, "ARENA_BROKER_URL": broker_url, "ARENA_DATA_DIR": str(tmp_path),
               "ARENA_JWT_SECRET": secrets.token_urlsafe(32), "ARENA_LOG_LEVEL": "WARNING",
               "ARENA_DB_POOL_SIZE": "1", "ARENA_DB_MAX_OVERFLOW": "2", "ARENA_RATE_MUTATIONS": "100000/60",
               "ARENA_RATE_ANONYMOUS": "100000/60", "VHOST": vhost}


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "arena.cli", *args], env=os.environ | env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(root: str, process: subprocess.Popen, log: Path) -> None:
    wait_until_answering(root, process, timeout=30, log=log)


def test_two_instances_stream_the_same_events_in_the_same_order(services: dict[str, str], tmp_path: Path) -> None:
    env = services
    upgrade = subprocess.run([sys.executable, "-m", "arena.cli", "db", "upgrade"], env=os.environ | env,
                             capture_output=True, timeout=60)
    assert upgrade.returncode == 0, upgrade.stderr.decode()
    processes = [start(env, tmp_path / "relay.log", "relay")]
    ports = [free_port(), free_port()]
    try:
        for i, port in enumerate(ports):
            processes.append(start(env, tmp_path / f"api{i}.log", "serve", "--port", str(port)))
        for i, port in enumerate(ports):
            wait_healthy(f"http://127.0.0.1:{port}", processes[i + 1], tmp_path / f"api{i}.log")
        queues = rabbitmqctl("list_queues", "-p", env["VHOST"], "--quiet", "--no-table-headers",
                             "name", "exclusive", "auto_delete")
        live_queues = [line.split() for line in queues.splitlines() if line.startswith("arena.live.")]
        assert len(live_queues) == 2 and all(q[1:] == ["true", "true"] for q in live_queues)

        settings = ArenaSettings(jwt_secret=env["ARENA_JWT_SECRET"])
        token = lambda user, role="player": mint_token(settings, user, role)  # noqa: E731
        one, two = (httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v2", timeout=30) for port in ports)
        admin, ada, bob = unique("admin"), unique("ada"), unique("bob")
        as_admin = {"Authorization": f"Bearer {token(admin, 'admin')}"}
        slug = unique("sum")
        assert one.post("/problems", headers={**as_admin, "Content-Type": "text/markdown"},
                        content=problem_document(slug)).status_code == 201
        battle = one.post("/battles", headers=as_admin, json={"title": "live", "languages": ["python"]}).json()["id"]
        assert one.post(f"/battles/{battle}/problems", headers=as_admin, json={"slug": slug}).status_code == 200
        assert two.post(f"/battles/{battle}/lobby", headers=as_admin).status_code == 200
        assert one.post(f"/battles/{battle}/join", headers={"Authorization": f"Bearer {token(ada)}"}).status_code == 200

        def socket(port: int, after: int | None = None):
            ws = connect(f"ws://127.0.0.1:{port}/api/v2/battles/{battle}/live", open_timeout=10)
            ws.send(json.dumps({"type": "auth", "token": token(ada), "after": after}))
            return ws

        on_one, on_two = socket(ports[0]), socket(ports[1])
        snapshots = [receive_until(ws, lambda got: len(got) == 2) for ws in (on_one, on_two)]
        assert snapshots[0] == snapshots[1] and [m["type"] for m in snapshots[0]] == ["battle", "presence"]
        dropping = socket(ports[0])
        first = receive_until(dropping, lambda got: len(got) == 2)
        dropping.close()
        # everything below reaches the sockets only through the relay and each instance's queue
        assert two.post(f"/battles/{battle}/start", headers=as_admin).status_code == 200
        assert one.post(f"/battles/{battle}/join", headers={"Authorization": f"Bearer {token(bob)}"}).status_code == 200
        for user in (ada, bob):
            sent = two.post(f"/battles/{battle}/submissions", headers={"Authorization": f"Bearer {token(user)}"},
                            json={"problem": slug, "language": "python", "source": "print(3)"})
            assert sent.status_code == 202, sent.text
        driver = bootstrap(ArenaSettings(**{k[6:].lower(): v for k, v in env.items() if k.startswith("ARENA_")}),
                           judge=False, timers=False)
        try:  # no judge runs here: the verdicts are recorded as the commands worker would
            for user in (ada, bob):
                player = driver.app.get_room_player(uuid.UUID(battle), user)
                driver.app.record_verdict(room_player_id(uuid.UUID(battle), user), next(iter(player.submissions)),
                                          "AC" if user == ada else "WA", {"tests": []})
        finally:
            driver.close()
        assert one.post(f"/battles/{battle}/extend", headers=as_admin, json={"seconds": 60}).status_code == 200

        done = lambda got: sum(m["type"] == "battle" for m in got) >= 2 and len(got) >= 5  # noqa: E731
        seen_one = receive_until(on_one, done)
        seen_two = receive_until(on_two, done)
        assert seen_one == seen_two
        assert [m["type"] for m in seen_one] == ["battle", "presence", "verdict", "scoreboard", "battle"]
        positions = [m["position"] for m in snapshots[0] + seen_one]
        assert positions == sorted(set(positions))
        with socket(ports[1], after=first[-1]["position"]) as resumed:  # dropped from one, back on two
            assert receive_until(resumed, lambda got: len(got) == 5) == seen_one
        on_one.close()
        on_two.close()
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
