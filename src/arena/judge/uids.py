"""Host-wide reservation of the unprivileged uids sandbox sessions run as.

RLIMIT_NPROC counts per uid across the whole host, and a session's clean-up kills by uid, so two
sandboxes (two judge processes, or two judges in one test process) must never share one. Each
uid is held by an flock on a file under /run: the kernel drops it if the process dies, so a
crashed judge never leaks its uids.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_DIR = Path("/run/arena-judge")


class UidReservation:
    def __init__(self, count: int, first: int = 61000, window: int = 4096, lock_dir: Path = LOCK_DIR) -> None:
        lock_dir.mkdir(parents=True, exist_ok=True)
        self._fds: list[int] = []
        self.uids: list[int] = []
        for uid in range(first, first + window):
            if len(self.uids) == count:
                break
            fd = os.open(lock_dir / f"uid-{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._fds.append(fd)
            self.uids.append(uid)
        if len(self.uids) < count:
            self.release()
            raise RuntimeError(f"only {len(self.uids)} free sandbox uids from {first} on, need {count}")

    def release(self) -> None:
        for fd in self._fds:
            os.close(fd)  # closing drops the flock
        self._fds, self.uids = [], []
