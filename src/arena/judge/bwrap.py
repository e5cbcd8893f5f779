"""The bubblewrap backend: one bwrap session per submission, the supervisor as its PID 1.

bwrap is started by root without a user namespace (so toolchains under /root can be bound and
uids are real host uids); the supervisor keeps uid 0 with only SETUID/SETGID/KILL/CHOWN and runs
the player's code as a per-session unprivileged uid, so RLIMIT_NPROC is enforced and counts this
session only. A pids + memory cgroup per session bounds processes and memory and lets us prove
that nothing survives the verdict. `warm` sessions are started ahead of need, so a submission
does not wait for namespace set-up.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from pathlib import Path

import structlog

from arena.judge.bwrap_session import BwrapSession, SessionConfig
from arena.judge.cgroups import SessionCgroup
from arena.judge.sandbox import Job, Report, SandboxError
from arena.judge.supervisor_binary import supervisor_binary
from arena.judge.uids import UidReservation

log = structlog.get_logger("arena.judge")

MB = 1024 * 1024


class BwrapSandbox:
    name = "bwrap"

    def __init__(
        self,
        *,
        warm: int = os.cpu_count() or 1,
        max_sessions: int = 64,
        uid_base: int = 61000,
        tmp_size_mb: int = 64,
        session_memory_mb: int = 1536,
        session_pids: int = 256,
        cgroup_root: Path = Path("/sys/fs/cgroup"),
        cgroup_parent: str = "arena-judge",
        bwrap: str | None = None,
    ) -> None:
        """`uid_base`..`uid_base + max_sessions` must be unused uids, distinct per judge process
        on one host; `max_sessions` must cover twice the judge's slots (an interactive
        submission holds two sessions) plus `warm`."""
        bwrap = bwrap or shutil.which("bwrap") or "/usr/bin/bwrap"
        if not Path(bwrap).exists():
            raise SandboxError("bubblewrap is not installed: run scripts/install-judge-deps.sh")
        if os.geteuid() != 0:
            raise SandboxError("the bwrap backend runs as root (it drops to per-session uids)")
        if not SessionCgroup.available(cgroup_root, cgroup_parent):
            raise SandboxError(f"cannot create cgroups under {cgroup_root}/{{pids,memory}}")
        leftovers = SessionCgroup.remove_leftovers(cgroup_root, cgroup_parent)
        if leftovers:
            log.info("removed the session cgroups of judges that are gone", cgroups=len(leftovers))
        self._config = SessionConfig(bwrap=bwrap, supervisor=supervisor_binary(),
                                     tmp_bytes=tmp_size_mb * MB)
        self._warm = warm
        self._session_memory = session_memory_mb * MB
        self._session_pids = session_pids
        self._cgroup_root, self._cgroup_parent = cgroup_root, cgroup_parent
        # One uid per live session: RLIMIT_NPROC is per uid, host-wide.
        self._uids: asyncio.Queue[int] = asyncio.Queue()
        try:  # uid_base is where the search starts; the reservation makes them host-unique
            self._reservation = UidReservation(max_sessions, first=uid_base)
        except (OSError, RuntimeError) as exc:
            raise SandboxError(f"cannot reserve sandbox uids: {exc}") from exc
        for uid in self._reservation.uids:
            self._uids.put_nowait(uid)
        self._names = itertools.count()
        self._spares: list[BwrapSession] = []
        self._binds: frozenset[tuple[str, str]] = frozenset()
        self._tasks: set[asyncio.Task] = set()  # spares being started, cgroups being removed
        self._starting = 0
        self._closed = False

    async def execute(self, job: Job) -> Report:
        self._binds |= frozenset(job.binds)  # later spares bind every toolchain seen so far
        if job.channel is not None:  # a folder of this job only: no spare binds it
            session = await self._start(self._binds | {job.channel})
        else:
            session = self._take_spare(frozenset(job.binds)) or await self._start(self._binds)
        try:
            memory = max(self._session_memory, job.run.memory_mb * MB + 256 * MB)
            report = await session.run(job, memory)
        except BaseException:
            await self._stop(session)  # something went wrong: prove the session empty first
            raise
        finally:
            self._refill()
        # The supervisor sent 'done' only after it, as PID 1, killed and reaped every other
        # process of the namespace: the run is over. bwrap's own exit and the cgroup check
        # finish in the background; the uid is reused only after them.
        self._background(self._stop(session))
        return report

    def _take_spare(self, binds: frozenset[tuple[str, str]]) -> BwrapSession | None:
        for session in list(self._spares):
            if session.alive and binds <= session.binds:
                self._spares.remove(session)
                return session
        return None

    async def _start(self, binds: frozenset[tuple[str, str]]) -> BwrapSession:
        uid = await self._uids.get()
        name = f"s{os.getpid()}-u{uid}-{next(self._names)}"  # the uid is host-unique while held
        session = BwrapSession(uid, SessionCgroup(self._cgroup_root, self._cgroup_parent, name),
                               binds)
        try:
            await session.start(self._config, self._session_memory, self._session_pids)
        except BaseException:
            await self._stop(session)
            raise
        return session

    async def _stop(self, session: BwrapSession) -> None:
        try:
            await session.stop()
        finally:
            self._uids.put_nowait(session.uid)
            self._background(session.remove())

    def _background(self, work) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _refill(self) -> None:
        missing = self._warm - len(self._spares) - self._starting
        for _ in range(max(0, missing)):
            self._starting += 1
            self._background(self._add_spare())

    async def _add_spare(self) -> None:
        try:
            session = await self._start(self._binds)
        finally:
            self._starting -= 1
        if self._closed:
            await self._stop(session)
        else:
            self._spares.append(session)

    async def settle(self) -> int:
        """Wait for background teardowns and spare start-ups; returns the number of spares."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        return len(self._spares)

    async def close(self) -> None:
        """Stop the warm sessions; the judge calls this on shutdown."""
        self._closed = True
        while self._tasks or self._spares:
            await asyncio.gather(*self._tasks, return_exceptions=True)
            spares, self._spares = self._spares, []
            await asyncio.gather(*(self._stop(s) for s in spares), return_exceptions=True)
        self._reservation.release()
