"""A one-line progress bar on stderr for operators running a rebuild (no dependency)."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    def __init__(self, total: int, stream: TextIO | None, label: str = "events", width: int = 30) -> None:
        self.total, self.stream, self.label, self.width = total, stream, label, width
        self.done = 0
        self._started = self._drawn = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn >= 0.1:  # redrawing on every batch would cost more than the work
            self._drawn = now
            self._draw(now)

    def finish(self) -> None:
        self._draw(time.monotonic())
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, now: float) -> None:
        if self.stream is None:
            return
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = int(fraction * self.width)
        rate = self.done / max(now - self._started, 1e-9)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} "
                          f"{self.done}/{self.total} {self.label} {rate:,.0f}/s")
        self.stream.flush()
