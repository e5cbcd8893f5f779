"""The bubblewrap backend: one bwrap session per submission, the supervisor as its PID 1.

bwrap is started by root without a user namespace (so the toolchains under /root can be bound
and uids are real host uids); the supervisor keeps uid 0 with only SETUID/SETGID/KILL/CHOWN and
runs the player's code as a per-session unprivileged uid, so RLIMIT_NPROC is enforced and counts
this session only. A pids + memory cgroup per session bounds processes and memory and lets us
prove that nothing survives the verdict.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import time
from pathlib import Path

from arena.judge import protocol
from arena.judge.cgroups import SessionCgroup
from arena.judge.sandbox import Job, Report, SandboxError

MB = 1024 * 1024
ETC_ENTRIES = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "java-17-openjdk",
               "java-21-openjdk", "localtime")


class BwrapSandbox:
    name = "bwrap"

    def __init__(
        self,
        *,
        max_sessions: int = 64,
        uid_base: int = 61000,
        tmp_size_mb: int = 64,
        session_memory_mb: int = 1536,
        session_pids: int = 256,
        cgroup_root: Path = Path("/sys/fs/cgroup"),
        cgroup_parent: str = "arena-judge",
        bwrap: str | None = None,
        supervisor_python: str = "/usr/bin/python3",
    ) -> None:
        self._bwrap = bwrap or shutil.which("bwrap") or "/usr/bin/bwrap"
        if not Path(self._bwrap).exists():
            raise SandboxError("bubblewrap is not installed: run scripts/install-judge-deps.sh")
        if os.geteuid() != 0:
            raise SandboxError("the bwrap backend runs as root (it drops to per-session uids)")
        if not SessionCgroup.available(cgroup_root, cgroup_parent):
            raise SandboxError(f"cannot create cgroups under {cgroup_root}/{{pids,memory}}")
        self._python = supervisor_python
        self._tmp_bytes = tmp_size_mb * MB
        self._session_memory = session_memory_mb * MB
        self._session_pids = session_pids
        self._cgroup_root, self._cgroup_parent = cgroup_root, cgroup_parent
        # One uid per concurrent session: RLIMIT_NPROC is per uid, host-wide.
        self._uids: asyncio.Queue[int] = asyncio.Queue()
        for uid in range(uid_base, uid_base + max_sessions):
            self._uids.put_nowait(uid)
        self._names = itertools.count()

    async def execute(self, job: Job) -> Report:
        uid = await self._uids.get()
        cgroup = SessionCgroup(self._cgroup_root, self._cgroup_parent,
                               f"s{os.getpid()}-{next(self._names)}")
        try:
            cgroup.create(max(self._session_memory, job.run.memory_mb * MB + 256 * MB),
                          self._session_pids)
            return await self._session(job, uid, cgroup)
        finally:
            await self._clear(cgroup)
            self._uids.put_nowait(uid)

    async def _session(self, job: Job, uid: int, cgroup: SessionCgroup) -> Report:
        argv = ["/bin/sh", "-c", 'for f in "$1" "$2"; do echo $$ > "$f"; done; shift 2; exec "$@"',
                "sh", *cgroup.procs_files, *self._bwrap_argv(job)]
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=protocol.SANDBOX_ENV, start_new_session=True,
        )
        feeder = asyncio.create_task(protocol.feed(proc.stdin, protocol.encode_job(job, uid, uid)))
        try:
            compiled, tests = await asyncio.wait_for(
                protocol.read_reports(proc.stdout), protocol.deadline_s(job))
        except (SandboxError, asyncio.TimeoutError) as exc:
            proc.kill()
            err = await proc.stderr.read()
            raise SandboxError(f"bwrap session failed: {exc!r}; {err[-2000:].decode(errors='replace')}")
        finally:
            feeder.cancel()
            if proc.returncode is None:
                proc.kill()  # the supervisor exits after 'done'; this only speeds up a stuck one
            await proc.wait()
        return protocol.as_report(compiled, tests, oom_killed=cgroup.oom_kills() > 0)

    async def _clear(self, cgroup: SessionCgroup) -> None:
        """A verdict is given only when every process of the session is gone."""
        try:
            if cgroup.dirs["pids"].exists() and cgroup.pids():
                if not await asyncio.to_thread(cgroup.kill_all):
                    raise SandboxError("processes of the session survived SIGKILL")
        finally:
            await asyncio.to_thread(_remove_when_empty, cgroup)

    def _bwrap_argv(self, job: Job) -> list[str]:
        argv = [self._bwrap,
                "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--as-pid-1", "--new-session",
                "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                "--cap-add", "CAP_KILL", "--cap-add", "CAP_CHOWN",
                "--clearenv", "--setenv", "PATH", protocol.SANDBOX_ENV["PATH"],
                "--setenv", "LANG", protocol.SANDBOX_ENV["LANG"],
                "--ro-bind", "/usr", "/usr"]
        for name in ("bin", "lib", "lib64", "sbin"):
            path = Path("/") / name
            if path.is_symlink():
                argv += ["--symlink", os.readlink(path), str(path)]
            elif path.exists():
                argv += ["--ro-bind", str(path), str(path)]
        argv += ["--perms", "0755", "--dir", "/etc", "--perms", "0755", "--dir", "/judge"]
        for entry in ETC_ENTRIES:
            if (Path("/etc") / entry).exists():
                argv += ["--ro-bind", f"/etc/{entry}", f"/etc/{entry}"]
        for host, inside in job.binds:
            # bwrap makes missing parents 0700, which the player's uid could not traverse
            for parent in reversed(Path(inside).parents[:-1]):
                if not str(parent).startswith(("/usr", "/etc")):
                    argv += ["--perms", "0755", "--dir", str(parent)]
            argv += ["--ro-bind", host, inside]
        argv += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(self._tmp_bytes), "--tmpfs", "/tmp",
                 "--size", str(self._tmp_bytes), "--tmpfs", "/box",
                 "--ro-bind", str(protocol.SUPERVISOR), "/judge/supervisor.py",
                 "--chdir", "/box", self._python, "-I", "-S", "/judge/supervisor.py"]
        return argv

    async def close(self) -> None:
        return None


def _remove_when_empty(cgroup: SessionCgroup) -> None:
    # rmdir fails with EBUSY for a moment after the last task exits; retry briefly.
    for _ in range(500):
        try:
            cgroup.remove()
            return
        except OSError:
            time.sleep(0.002)
