"""The docker backend: the same supervisor, exec'd in a warm container per language.

Containers: no network, read-only root, tmpfs /tmp and /box, memory limit, nano CPUs, pids
limit, every capability dropped but the four the supervisor needs, no-new-privileges. The image
is a near-empty root filesystem made with `docker import` (no registry); toolchains and the
supervisor are bound read-only from the host, so both backends run identical toolchains.
"""

from __future__ import annotations

import asyncio
import io
import socket
import tarfile
import threading
import uuid
from pathlib import Path
from typing import Any

from arena.judge import protocol
from arena.judge.docker_pool import ContainerPool
from arena.judge.sandbox import Job, Report, SandboxError
from arena.judge.supervisor_binary import supervisor_binary

IMAGE = "arena-judge-base:1"
HOST_BINDS = ("/usr", "/etc/alternatives", "/etc/ld.so.cache", "/etc/java-17-openjdk")
CLEAN = "kill -9 -1 2>/dev/null; rm -rf /box/* /tmp/* /tmp/.[!.]* 2>/dev/null; exit 0"


def base_image_tar() -> bytes:
    """A root filesystem with only mount points and the merged-/usr symlinks."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in ("usr", "etc", "box", "tmp", "judge", "proc", "dev", "opt", "sys"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name, target in (("bin", "usr/bin"), ("lib", "usr/lib"), ("lib64", "usr/lib64"),
                             ("sbin", "usr/sbin")):
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


class DockerEngine:
    """The pool's Engine on the Docker SDK (blocking calls run in threads)."""

    def __init__(self, client: Any, binds: dict[str, str], memory_mb: int, nano_cpus: int,
                 pids_limit: int, tmp_size_mb: int) -> None:
        self.client, self.binds = client, binds
        self.language_binds: dict[str, dict[str, str]] = {}  # toolchains some languages need
        self.memory_mb, self.nano_cpus, self.pids_limit = memory_mb, nano_cpus, pids_limit
        self.tmp_size_mb = tmp_size_mb

    def ensure_image(self) -> None:
        try:
            self.client.images.get(IMAGE)
        except Exception:
            repository, tag = IMAGE.split(":")
            self.client.api.import_image_from_data(base_image_tar(), repository=repository, tag=tag)

    async def create(self, language: str) -> Any:
        return await asyncio.to_thread(self._create, language)

    def _create(self, language: str) -> Any:
        tmpfs = f"size={self.tmp_size_mb}m,mode=1777,exec"  # docker defaults to noexec
        return self.client.containers.run(
            IMAGE, ["/usr/bin/sleep", "infinity"], detach=True, name=f"arena-{language}-{uuid.uuid4().hex[:8]}",
            network_disabled=True, read_only=True, mem_limit=f"{self.memory_mb}m",
            memswap_limit=f"{self.memory_mb}m", nano_cpus=self.nano_cpus,
            pids_limit=self.pids_limit, tmpfs={"/tmp": tmpfs, "/box": tmpfs},
            volumes={host: {"bind": inside, "mode": "ro"}
                     for host, inside in {**self.binds, **self.language_binds.get(language, {})}.items()},
            cap_drop=["ALL"], cap_add=["SETUID", "SETGID", "KILL", "CHOWN"],
            security_opt=["no-new-privileges"], environment=protocol.SANDBOX_ENV,
            working_dir="/box", user="0", labels={"arena.judge": language})

    async def clean(self, container: Any) -> None:
        result = await asyncio.to_thread(container.exec_run, ["/bin/sh", "-c", CLEAN])
        if result.exit_code != 0:
            raise SandboxError(f"clean-up failed in {container.name}")

    async def remove(self, container: Any) -> None:
        await asyncio.to_thread(container.remove, force=True)

    def exec_supervisor(self, container: Any, chunks: list[bytes]) -> bytes:
        """Run the supervisor with the job on its stdin; return its stdout (blocking)."""
        from docker.utils.socket import STDOUT, frames_iter

        api = self.client.api
        exec_id = api.exec_create(container.id, ["/judge/supervisor"], stdin=True, workdir="/box")
        sock = api.exec_start(exec_id, socket=True)
        raw = getattr(sock, "_sock", sock)
        def send() -> None:  # in its own thread: the supervisor reports while it still reads
            try:
                for chunk in chunks:
                    raw.sendall(chunk)
                raw.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # it stopped reading after a failing test

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        try:
            return b"".join(data for stream, data in frames_iter(sock, False) if stream == STDOUT)
        finally:
            sender.join(timeout=5)
            sock.close()


class DockerSandbox:
    name = "docker"

    def __init__(self, *, client: Any = None, max_workers: int = 2, memory_mb: int = 1536,
                 nano_cpus: int = 1_000_000_000, pids_limit: int = 256, tmp_size_mb: int = 64,
                 binds: dict[str, str] | None = None, uid: int = 61000) -> None:
        if client is None:
            import docker

            client = docker.from_env()
        host_binds = {path: path for path in HOST_BINDS if _exists(path)}
        host_binds[str(supervisor_binary())] = "/judge/supervisor"
        host_binds.update(binds or {})
        self.engine = DockerEngine(client, host_binds, memory_mb, nano_cpus, pids_limit, tmp_size_mb)
        self.pool = ContainerPool(self.engine, max_workers)
        self._uid = uid
        self._image_ready = False

    async def execute(self, job: Job) -> Report:
        if job.channel is not None:  # warm containers cannot take a new mount per job
            raise SandboxError("interactive problems need the bwrap sandbox (ARENA_SANDBOX=bwrap)")
        if not self._image_ready:
            await asyncio.to_thread(self.engine.ensure_image)
            self._image_ready = True
        self.engine.language_binds[job.language] = dict(job.binds)
        async with self.pool.lease(job.language) as lease:
            chunks = protocol.encode_job(job, self._uid, self._uid)
            try:
                output = await asyncio.wait_for(
                    asyncio.to_thread(self.engine.exec_supervisor, lease.container, chunks),
                    protocol.deadline_s(job))
            except Exception as exc:
                lease.broken = True
                raise SandboxError(f"docker exec failed: {exc!r}") from None
            reader = asyncio.StreamReader()
            reader.feed_data(output)
            reader.feed_eof()
            try:
                compiled, tests = await protocol.read_reports(reader)
            except SandboxError:
                lease.broken = True
                raise
        return protocol.as_report(compiled, tests, oom_killed=False)

    async def close(self) -> None:
        await self.pool.close()


def _exists(path: str) -> bool:
    return Path(path).exists()
