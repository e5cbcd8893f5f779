"""The threads that run the API's blocking work: sync route handlers (Litestar runs them on the
event loop's default executor) and every command, which blocks until its events are stored.

asyncio's default executor has min(32, cores + 4) threads: 6 here. A submission holds its thread
until the group commit has written it (docs/adr/0008), so with 6 threads at most 6 commands per
process could wait for one transaction, and every further request queued for a thread, however
little it needed one: at 32 connections that queue was most of a submission's latency. With
THREADS, every connection a process serves can have its command in the same group commit.
THREADS matches the read-model engine's pool (db/engine.py: 10 + 20 overflow), so threads that
read do not queue for connections much longer than they used to queue for threads.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

THREADS = 32


async def widen_default_executor() -> None:
    """An on_startup hook: runs on the server's loop, before any request."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="arena-api"))
