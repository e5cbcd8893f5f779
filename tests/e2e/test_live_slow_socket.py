"""e2e, over real TCP: a socket whose client stops reading is closed with 4429 once its send
buffer passes ARENA_LIVE_MAX_PENDING, while another socket on the same battle gets every message
(the embedded default: SQLite, the local bus, no judge; verdicts recorded by the application)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket as sockets
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from websockets.sync.client import connect

from arena.api.app import create_app
from arena.api.auth import mint_token
from arena.api.server import SERVER
from arena.bootstrap import bootstrap
from arena.domain.acting import Admin
from arena.domain.room_player import room_player_id
from arena.domain.settings import BattleSettings
from arena.settings import ArenaSettings

PLAYERS, VERDICTS = 300, 60  # each accepted verdict moves every unsolved row: ~40 kB a message


def serve_with_small_send_buffers(app) -> tuple[uvicorn.Server, str]:
    """The API on a listening socket whose accepted sockets keep a 16 kB send buffer (Linux
    copies it from the listener; a set size also stops autotuning up to 4 MB), so that a client
    that stops reading fills the path within a few messages."""
    listener = sockets.socket()
    listener.setsockopt(sockets.SOL_SOCKET, sockets.SO_SNDBUF, 16384)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **SERVER))
    threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start within 10 s"
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{listener.getsockname()[1]}"


REASON = b"too slow: resume with after"
CLOSE_4429 = bytes([0x88, 2 + len(REASON)]) + (4429).to_bytes(2, "big") + REASON


def raw_websocket(port: int, path: str, text: str) -> sockets.socket:
    """A client that opens a WebSocket, sends one text frame, and reads nothing more: its
    receive buffer is tiny, so the server's writes to it soon block."""
    raw = sockets.socket()
    raw.setsockopt(sockets.SOL_SOCKET, sockets.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += raw.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    payload, mask = text.encode(), os.urandom(4)
    length = bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    raw.sendall(bytes([0x81]) + length + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return raw


def test_a_socket_that_stops_reading_is_closed_and_the_other_gets_everything(tmp_path: Path) -> None:
    settings = ArenaSettings(data_dir=tmp_path, jwt_secret=secrets.token_urlsafe(32), live_max_pending=4)
    arena = bootstrap(settings, judge=False, timers=False)
    server, base_url = serve_with_small_send_buffers(create_app(arena))
    app = arena.app
    try:
        arena.problems.upload(b"---\ntitle: Sum\nslug: sum\npoints: 100\n"
                              b"samples:\n  - {input: '1 2', output: '3'}\n---\nAdd.\n")
        battle = app.create_battle("admin", BattleSettings(title="slow", max_players=PLAYERS))
        app.attach_problem(battle, "sum", by=Admin("admin"))
        app.open_lobby(battle, by=Admin("admin"))
        players = [f"p{i:03d}" for i in range(PLAYERS)]
        for player in players:
            app.join(battle, player)
        app.start_battle(battle, by=Admin("admin"))
        path = f"/api/v2/battles/{battle}/live"
        auth = json.dumps({"type": "auth", "token": mint_token(settings, "admin", "admin"), "after": None})
        slow = raw_websocket(urlsplit(base_url).port, path, auth)  # never read from again
        with connect(base_url.replace("http://", "ws://") + path, max_size=None) as fast:
            fast.send(auth)
            got = [json.loads(fast.recv(timeout=10)) for _ in range(2)]
            for player in players[:VERDICTS]:
                submission = app.submit(battle, player, "sum", "python", "print(3)")
                app.record_verdict(room_player_id(battle, player), submission, "AC", {"tests": []})
                got.append(json.loads(fast.recv(timeout=10)))
            assert [m["type"] for m in got[2:]] == ["scoreboard"] * VERDICTS  # every one, in order
            positions = [m["position"] for m in got]
            assert positions == sorted(set(positions))
        slow.settimeout(10)
        received = b""
        while CLOSE_4429 not in received:  # what was queued, then the close frame: 4429 and why
            chunk = slow.recv(1 << 20)
            assert chunk, "the slow socket ended without a 4429 close frame"
            received += chunk
        slow.close()
    finally:
        server.should_exit = True
        arena.close()
