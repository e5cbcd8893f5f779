"""Fixtures for judging real programs in the bwrap sandbox (and the docker engine when marked)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from arena.judge.languages import Language, cached_languages
from arena.bootstrap import make_sandbox
from arena.judge.worker import Judge
from judge_helpers import CGROUP_PARENT, SESSIONS, UID_BASE


def bwrap_missing_reason() -> str | None:
    if shutil.which("bwrap") is None:
        return "bubblewrap is missing: run scripts/install-judge-deps.sh (as root)"
    if os.geteuid() != 0:
        return "the bwrap backend runs as root (it gives each session its own uid and cgroup)"
    return None


@pytest.fixture(scope="session")
def languages() -> dict[str, Language]:
    return cached_languages()


@pytest.fixture(scope="session")
async def judge() -> AsyncIterator[Judge]:
    reason = bwrap_missing_reason()
    if reason:  # make test installs bubblewrap and runs as root: this is a broken machine
        pytest.fail(reason)
    sandbox = make_sandbox("bwrap", max_sessions=SESSIONS, uid_base=UID_BASE,
                           cgroup_parent=CGROUP_PARENT)
    instance = Judge(sandbox=sandbox, slots=2, compile_time_ms=8000)
    yield instance
    await instance.close()
    await sandbox.settle()
    for controller in ("pids", "memory"):
        try:
            (Path("/sys/fs/cgroup") / controller / CGROUP_PARENT).rmdir()
        except OSError:
            pass  # still busy: the kernel frees it with its last session


@pytest.fixture(scope="session")
def docker_client(tmp_path_factory):
    """A Docker engine: a private dockerd when one is installed (stopped by its pid at the end),
    else the one DOCKER_HOST points at; skipped when there is neither."""
    docker = pytest.importorskip("docker")
    dockerd = shutil.which("dockerd")
    if dockerd is None or os.geteuid() != 0:
        try:
            client = docker.from_env()
            client.ping()
        except Exception as exc:
            pytest.skip(f"no docker engine: dockerd is not installed and DOCKER_HOST is not "
                        f"reachable ({exc.__class__.__name__})")
        yield client
        return
    root = Path(tempfile.mkdtemp(prefix="arena-dockerd-"))
    sock = root / "docker.sock"
    log = (root / "dockerd.log").open("wb")
    proc = subprocess.Popen(
        [dockerd, "--iptables=false", "--bridge=none", "--data-root", str(root / "data"),
         "--exec-root", str(root / "exec"), "--pidfile", str(root / "docker.pid"),
         "-H", f"unix://{sock}"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:  # the client asks the engine its API version on construction: retry it whole
            client = docker.DockerClient(base_url=f"unix://{sock}")
            client.ping()
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.skip(f"private dockerd did not start; see {root / 'dockerd.log'}")
            time.sleep(0.2)
    try:
        yield client
    finally:
        for container in client.containers.list(all=True):
            container.remove(force=True)
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(root, ignore_errors=True)
