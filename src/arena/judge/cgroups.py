"""One cgroup (v1 pids + memory) per sandbox session.

Why cgroups on top of rlimits: RLIMIT_NPROC counts per uid across the host, while pids.max counts
exactly this session's tasks; the memory cgroup catches memory that RLIMIT_AS cannot see (JVM and
V8 reserve far more address space than they use, tmpfs and memfd pages); and cgroup.procs lets
the judge prove that every process of a run is gone before it gives a verdict.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

CONTROLLERS = ("pids", "memory")


class SessionCgroup:
    def __init__(self, root: Path, parent: str, name: str) -> None:
        self.dirs = {c: root / c / parent / name for c in CONTROLLERS}

    @staticmethod
    def available(root: Path, parent: str) -> bool:
        """True when this process may create cgroups under `parent` in both controllers."""
        try:
            for controller in CONTROLLERS:
                (root / controller / parent).mkdir(exist_ok=True)
                if not os.access(root / controller / parent, os.W_OK):
                    return False
        except OSError:
            return False
        return True

    @staticmethod
    def remove_leftovers(root: Path, parent: str) -> list[str]:
        """Removes the session cgroups of judge processes that are gone (a SIGKILLed judge cannot
        clean up after itself); returns their names. A session's name starts with its judge's
        pid (`s<pid>-...`), so the cgroups of a judge still running are never touched."""
        removed = []
        for controller in CONTROLLERS:
            for directory in sorted((root / controller / parent).glob("s*-*")):
                owner = directory.name[1:].split("-", 1)[0]
                if not owner.isdigit() or _alive(int(owner)):
                    continue
                leftover = SessionCgroup.__new__(SessionCgroup)
                leftover.dirs = {c: root / c / parent / directory.name for c in CONTROLLERS}
                if controller == "pids":
                    leftover.kill_all()  # bwrap dies with its parent; make sure nothing lingers
                try:
                    directory.rmdir()
                except (FileNotFoundError, OSError):
                    continue
                removed.append(directory.name)
        return sorted(set(removed))

    def create(self, memory_bytes: int, pids_max: int) -> None:
        for directory in self.dirs.values():
            directory.mkdir(parents=True, exist_ok=True)
        memory = self.dirs["memory"]
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():  # no swapping our way around the limit
            swap.write_text(str(memory_bytes))
        (self.dirs["pids"] / "pids.max").write_text(str(pids_max))

    def raise_memory_limit(self, memory_bytes: int) -> None:
        memory = self.dirs["memory"]
        current = int((memory / "memory.limit_in_bytes").read_text())
        if memory_bytes > current:  # memsw must never be below the plain limit: raise it first
            swap = memory / "memory.memsw.limit_in_bytes"
            if swap.exists():
                swap.write_text(str(memory_bytes))
            (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))

    @property
    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs.values()]

    def oom_kills(self) -> int:
        for line in (self.dirs["memory"] / "memory.oom_control").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def pids(self) -> list[int]:
        text = (self.dirs["pids"] / "cgroup.procs").read_text()
        return [int(pid) for pid in text.split()]

    def kill_all(self, timeout_s: float = 5.0) -> bool:
        """SIGKILL until the cgroup is empty; True when it is (pids.max bounds any fork race)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.002)
        return not self.pids()

    def remove(self) -> None:
        for directory in self.dirs.values():
            try:
                directory.rmdir()
            except FileNotFoundError:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
