"""One bubblewrap session: a cgroup, a uid, bwrap, and the supervisor as the session's PID 1.

A session is started before its job is known (so a warm one can wait for the next submission),
runs exactly one job, and is torn down only when every process in its cgroup is gone.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

from arena.judge import protocol
from arena.judge.cgroups import SessionCgroup
from arena.judge.sandbox import Job, Report, SandboxError

MB = 1024 * 1024
ETC_ENTRIES = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "java-17-openjdk",
               "java-21-openjdk", "localtime")
STOP_WAIT_S = 5.0  # for a bwrap that never joined its cgroup to end after stdin's EOF
# Join both cgroups, then become bwrap: every process of the session is born inside them.
JOIN_CGROUPS = 'for f in "$1" "$2"; do echo $$ > "$f"; done; shift 2; exec "$@"'


@dataclass(frozen=True)
class SessionConfig:
    bwrap: str
    supervisor: Path  # the built supervisor.c (supervisor_binary.py)
    tmp_bytes: int


def bwrap_argv(config: SessionConfig, binds: frozenset[tuple[str, str]]) -> list[str]:
    argv = [config.bwrap,
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--as-pid-1", "--new-session",
            # The supervisor needs these to drop the player's code to its uid and clean up;
            # the player's processes lose every capability when they change uid.
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
    for host, inside in sorted(binds):
        # bwrap makes missing parents 0700, which the player's uid could not traverse
        for parent in reversed(Path(inside).parents[:-1]):
            if not str(parent).startswith(("/usr", "/etc")):
                argv += ["--perms", "0755", "--dir", str(parent)]
        argv += ["--ro-bind", host, inside]
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(config.tmp_bytes), "--tmpfs", "/tmp",
             "--size", str(config.tmp_bytes), "--tmpfs", "/box",
             "--ro-bind", str(config.supervisor), "/judge/supervisor",
             "--chdir", "/box", "/judge/supervisor"]
    return argv


class BwrapSession:
    def __init__(self, uid: int, cgroup: SessionCgroup, binds: frozenset[tuple[str, str]]):
        self.uid, self.cgroup, self.binds = uid, cgroup, binds
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self, config: SessionConfig, memory_bytes: int, pids_max: int) -> None:
        self.cgroup.create(memory_bytes, pids_max)
        self.proc = await asyncio.create_subprocess_exec(
            "/bin/sh", "-c", JOIN_CGROUPS, "sh", *self.cgroup.procs_files,
            *bwrap_argv(config, self.binds),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=protocol.SANDBOX_ENV, start_new_session=True)

    async def run(self, job: Job, memory_bytes: int) -> Report:
        proc = self.proc
        assert proc is not None and proc.stdin and proc.stdout and proc.stderr
        self.cgroup.raise_memory_limit(memory_bytes)
        chunks = protocol.encode_job(job, self.uid, self.uid)
        feeder = asyncio.create_task(protocol.feed(proc.stdin, chunks))
        try:
            compiled, tests = await asyncio.wait_for(protocol.read_reports(proc.stdout),
                                                     protocol.deadline_s(job))
        except (SandboxError, asyncio.TimeoutError) as exc:
            await asyncio.to_thread(self.cgroup.kill_all)  # not proc.kill(): see stop()
            err = (await proc.stderr.read())[-2000:].decode(errors="replace")
            raise SandboxError(f"bwrap session failed: {exc!r}; {err}") from None
        finally:
            feeder.cancel()
        return protocol.as_report(compiled, tests, oom_killed=self.cgroup.oom_kills() > 0)

    async def stop(self) -> None:
        """Kill whatever is left; return once the session's cgroup holds no process at all."""
        if self.proc is not None and self.proc.stdin is not None:
            # Python 3.11's wait() returns only once every pipe is disconnected: close ours.
            self.proc.stdin.close()
        # SIGKILL through the cgroup (bwrap and all it started are in it), not proc.kill():
        # that polls, and so reaps, a bwrap that has just exited, behind asyncio's child
        # watcher ("Unknown child process", returncode 255). Emptying the cgroup first also
        # keeps a straggler holding the session's stdout from blocking wait() forever.
        if self.cgroup.dirs["pids"].exists() and self.cgroup.pids():
            if not await asyncio.to_thread(self.cgroup.kill_all):
                raise SandboxError("processes of the session survived SIGKILL")
        if self.proc is not None:
            try:
                await asyncio.wait_for(self.proc.wait(), STOP_WAIT_S)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    async def remove(self) -> None:
        """Remove the (empty) cgroups: off the verdict's path, memcg offlining takes a while."""
        await asyncio.to_thread(_remove_when_empty, self.cgroup)


def _remove_when_empty(cgroup: SessionCgroup) -> None:
    # rmdir fails with EBUSY for a moment after the last task exits; retry for up to 5 s.
    for _ in range(1000):
        try:
            cgroup.remove()
            return
        except OSError:
            time.sleep(0.005)
