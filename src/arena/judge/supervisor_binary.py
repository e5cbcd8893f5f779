"""Build supervisor.c once per host, with the host's gcc, into a cache keyed by what went in.

The key is a hash of the source and the flags, so a changed supervisor is rebuilt and an
unchanged one is never rebuilt, not even by another judge process on the same host. The binary
is static: it runs in any sandbox whatever that sandbox binds of /usr.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from arena.judge.sandbox import SandboxError

SOURCE = Path(__file__).with_name("supervisor.c")
CFLAGS = ("-std=gnu17", "-O2", "-static", "-Wall", "-Wextra")


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "arena-judge"


def binary_name(source: bytes) -> str:
    digest = hashlib.sha256(source + b"\0" + " ".join(CFLAGS).encode()).hexdigest()
    return f"supervisor-{digest[:16]}"


@functools.cache
def supervisor_binary(cache_dir: Path | None = None, compiler: str = "gcc") -> Path:
    """The built supervisor's path; builds it on first use. Raises SandboxError if it cannot."""
    cache_dir = cache_dir or default_cache_dir()
    source = SOURCE.read_bytes()
    target = cache_dir / binary_name(source)
    _private_dir(cache_dir)
    if target.exists():
        return target
    gcc = shutil.which(compiler)
    if gcc is None:
        raise SandboxError(f"cannot build the judge's supervisor: {compiler} is not installed")
    # Build next to the target, then rename: a concurrent builder never sees half a binary.
    fd, partial = tempfile.mkstemp(dir=cache_dir, prefix=".building-")
    os.close(fd)
    try:
        done = subprocess.run([gcc, *CFLAGS, "-o", partial, str(SOURCE)],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise SandboxError(f"cannot build the judge's supervisor ({gcc} exited "
                               f"{done.returncode}): {done.stderr[-2000:]}")
        os.chmod(partial, 0o755)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


def _private_dir(path: Path) -> None:
    """The binary runs with the sandbox's privileges: nobody else may be able to swap it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    if st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise SandboxError(f"the supervisor cache {path} must be owned by this user and "
                           f"writable by nobody else")
