"""What a player's browser would hold during `arena demo`: one live socket (docs/api.md, "Live"),
read on a thread, printed at the end."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from websockets.sync.client import connect


class LiveListener:
    def __init__(self, base_url: str, battle_id: str, token: str) -> None:
        self.messages: list[dict[str, Any]] = []
        self._stop = threading.Event()
        url = base_url.replace("http://", "ws://", 1) + f"/api/v2/battles/{battle_id}/live"
        self._ws = connect(url, open_timeout=10)
        self._ws.send(json.dumps({"type": "auth", "token": token, "after": None}))
        self._thread = threading.Thread(target=self._read, name="demo-live", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                self.messages.append(json.loads(self._ws.recv(timeout=0.1)))
            except TimeoutError:
                continue
            except Exception:  # noqa: BLE001 - closed: nothing more to read
                return

    def until_ended(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not any(m["type"] == "battle" and m["status"] == "ended" for m in self.messages):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self._stop.set()
        self._thread.join(timeout=2)
        self._ws.close()

    def print(self, player: str) -> None:
        print(f"--- live messages {player} received on one WebSocket")
        for message in self.messages:
            print(f"{message['position']:>4}  {message['type']:<10} {_summary(message)}")


def _summary(message: dict[str, Any]) -> str:
    match message["type"]:
        case "battle":
            return f"{message['status']}, ends at {message['ends_at']}"
        case "presence":
            return f"{message['count']} present: {', '.join(message['user_ids'])}"
        case "verdict":
            tests = " ".join(test["verdict"] for test in message["tests"])
            return f"my {message['problem']}: {message['verdict']} (+{message['points']}) tests: {tests or '-'}"
        case _:
            return ", ".join(f"{r['user_id']} rank {r['rank']} ({r['points']} pts)" for r in message["rows"])
