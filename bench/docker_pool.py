"""Docker backend: a judged run on a warm pooled container vs a cold `containers.run`.

Uses DOCKER_HOST when it answers, else starts a private dockerd (root, `dockerd` installed) and
stops it by its pid at the end. Prints the median of ROUNDS runs of a trivial one-test Python
submission on the warm pool next to a cold `containers.run` of the same image doing the same
print, and the ratio. Run as root: `python bench/docker_pool.py`.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import docker  # noqa: E402

from arena.judge.docker_backend import IMAGE, DockerSandbox  # noqa: E402
from arena.judge.languages import detect_languages  # noqa: E402
from arena.judge.runner import build_job  # noqa: E402
from arena.problems.model import Problem, TestCase  # noqa: E402

ROUNDS = 15
PROBLEM = Problem(title="Sum", slug="sum", samples=(TestCase(input="1 2\n", output="3\n"),))
SOURCE = "a, b = map(int, input().split())\nprint(a + b)\n"


def engine() -> tuple[docker.DockerClient, subprocess.Popen | None, Path | None]:
    try:
        client = docker.from_env()
        client.ping()
        return client, None, None
    except Exception:
        pass
    root = Path(tempfile.mkdtemp(prefix="arena-dockerd-"))
    proc = subprocess.Popen([shutil.which("dockerd") or "dockerd", "--iptables=false",
                             "--bridge=none", "--data-root", str(root / "data"), "--exec-root",
                             str(root / "exec"), "-H", f"unix://{root}/docker.sock"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            client = docker.DockerClient(base_url=f"unix://{root}/docker.sock")
            client.ping()
            return client, proc, root
        except Exception:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("no docker engine: set DOCKER_HOST or install docker.io (as root)")


async def main() -> None:
    client, proc, root = engine()
    try:
        sandbox = DockerSandbox(client=client, max_workers=1)
        job = build_job(detect_languages()["python"], SOURCE, PROBLEM)
        await sandbox.execute(job)  # creates the image and the warm container
        warm, cold = [], []
        binds = {h: {"bind": i, "mode": "ro"} for h, i in sandbox.engine.binds.items()}
        for _ in range(ROUNDS):
            started = time.perf_counter()
            report = await sandbox.execute(job)
            warm.append((time.perf_counter() - started) * 1000)
            assert report.tests[0].stdout.split() == [b"3"]
            started = time.perf_counter()
            out = client.containers.run(IMAGE, ["/usr/bin/python3", "-c", "print(1 + 2)"],
                                        volumes=binds, network_disabled=True, remove=True)
            cold.append((time.perf_counter() - started) * 1000)
            assert out.split() == [b"3"]
        w, c = statistics.median(warm), statistics.median(cold)
        print(f"{'docker':<22} {'median ms':>10}")
        print(f"{'warm pool, judged':<22} {w:>10.1f}")
        print(f"{'cold containers.run':<22} {c:>10.1f}")
        print(f"ratio warm/cold: {w / c:.2f}x")
        await sandbox.close()
    finally:
        if proc is not None:
            for container in client.containers.list(all=True):
                container.remove(force=True)
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
