"""Waiting for an `arena serve` started as a subprocess (imported by name: tests are not packages)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx


def wait_until_answering(root: str, server: subprocess.Popen, timeout: float = 30.0, log: Path | None = None) -> None:
    """Returns once GET {root}/health answers 200; fails at once if the server exits, saying
    what it wrote (its `log` file, or its stderr pipe)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{root}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            said = log.read_text() if log else server.stderr.read() if server.stderr else ""
            raise AssertionError(f"the server exited: {said}")
        assert time.monotonic() < deadline, f"the server did not answer within {timeout:g} s"
        time.sleep(0.1)
