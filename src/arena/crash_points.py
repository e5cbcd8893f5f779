"""Named points where a test may kill this process, to prove that a crash there loses nothing.

`ARENA_CRASH_AT=<name>` makes `crash_point(name)` SIGKILL the process on the spot: no clean-up,
no ack, no rollback hook, exactly what a power cut or the OOM killer does. `ARENA_STALL_AT=
<name>:<seconds>` stalls it there instead (a long GC pause, a slow disk), so that a test can cut
a connection in the middle of the work. Unset (always, in production) each costs one lookup.
"""

from __future__ import annotations

import os
import signal
import time


def crash_point(name: str) -> None:
    if os.environ.get("ARENA_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    stall = os.environ.get("ARENA_STALL_AT")
    if stall and stall.rpartition(":")[0] == name:
        time.sleep(float(stall.rpartition(":")[2]))
