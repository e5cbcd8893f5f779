"""Issue 12, finding 5: a SIGKILLed judge leaves its sessions' cgroups behind; the next judge to
start on the host removes the leftovers of judges that are gone, and nothing of a live one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from arena.bootstrap import make_sandbox
from judge_helpers import SESSIONS, UID_BASE

ROOT = Path("/sys/fs/cgroup")
PARENT = f"arena-judge-leftovers-{os.getpid()}"
A_JUDGE_THAT_DIES = f"""
import asyncio
from arena.bootstrap import make_sandbox
from arena.judge.sandbox import Job, Step

async def main():
    sandbox = make_sandbox("bwrap", max_sessions=4, uid_base={UID_BASE + SESSIONS}, cgroup_parent={PARENT!r}, warm=2)
    step = Step(argv=("/bin/sh", "-c", "echo running; sleep 60"), time_limit_ms=60000, wall_limit_ms=60000,
                memory_mb=64, address_space_limit=True, output_cap_bytes=1 << 20)
    await sandbox.execute(Job(language="sh", source_name="main.sh", source=b"", compile=None, run=step,
                              inputs=(b"",)))

asyncio.run(main())
"""


def sessions() -> list[str]:
    return sorted(p.name for p in (ROOT / "pids" / PARENT).glob("s*-*"))


def test_finding_5_the_next_judge_removes_the_cgroups_a_sigkilled_judge_left() -> None:
    doomed = subprocess.Popen([sys.executable, "-c", A_JUDGE_THAT_DIES], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not sessions() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sessions(), "the judge started no session"
        time.sleep(1)  # its job is running in it
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        left = sessions()
        assert left and all(name.startswith(f"s{doomed.pid}-") for name in left)
        ours = ROOT / "pids" / PARENT / f"s{os.getpid()}-u1-0"  # a live judge's session: kept
        ours.mkdir()

        sandbox = make_sandbox("bwrap", max_sessions=2, uid_base=UID_BASE + 2 * SESSIONS, cgroup_parent=PARENT)

        assert sessions() == [ours.name]
        assert not any((ROOT / "memory" / PARENT).glob(f"s{doomed.pid}-*"))
        ours.rmdir()
        del sandbox
    finally:
        if doomed.poll() is None:
            os.killpg(doomed.pid, signal.SIGKILL)
        for controller in ("pids", "memory"):
            for leftover in (ROOT / controller / PARENT).glob("s*-*"):
                leftover.rmdir()
            (ROOT / controller / PARENT).rmdir()
