"""Waiting for an `arena serve` started as a subprocess (imported by name: tests are not packages)."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_until_answering(root: str, server: subprocess.Popen, timeout: float = 30.0) -> None:
    """Returns once GET {root}/health answers 200; fails at once if the server exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{root}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.stderr.read() if server.stderr else "the server exited"
        assert time.monotonic() < deadline, f"the server did not answer within {timeout:g} s"
        time.sleep(0.1)
