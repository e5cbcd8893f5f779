"""Helpers for settlement tests on the production shape (imported by name: tests are not packages)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from arena.settings import ArenaSettings



@dataclass
class Production:
    env: dict[str, str]
    settings: ArenaSettings
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, *args: str, **extra: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-m", "arena.cli", *args], env=os.environ | self.env | extra,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def eventually(condition: Callable[[], object], timeout: float = 60.0, every: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s: {condition}")
