"""Building supervisor.c: once per source, into a private cache, failing loudly."""

import os
import stat
from pathlib import Path

import pytest

from arena.judge import supervisor_binary as build
from arena.judge.sandbox import SandboxError

build_uncached = build.supervisor_binary.__wrapped__  # the real one is memoised per process


def fake_compiler(tmp_path: Path, body: str) -> str:
    """A 'gcc' that logs each call and writes its -o target (a stand-in: no real compile)."""
    script = tmp_path / "fake-gcc"
    script.write_text(f'#!/bin/sh\necho call >> "{tmp_path}/calls"\n{body}\n')
    script.chmod(0o755)
    return str(script)


WRITES_OUTPUT = 'while [ "$1" != "-o" ]; do shift; done; echo built > "$2"'


def test_it_builds_once_and_reuses_the_binary(tmp_path):
    cc = fake_compiler(tmp_path, WRITES_OUTPUT)
    first = build_uncached(tmp_path / "cache", cc)
    second = build_uncached(tmp_path / "cache", cc)
    assert first == second and first.read_text() == "built\n"
    assert (tmp_path / "calls").read_text().count("call") == 1
    assert stat.S_IMODE(first.stat().st_mode) == 0o755
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [first.name]  # no partial left


def test_the_cache_key_follows_the_source():
    assert build.binary_name(b"int main(){}") == build.binary_name(b"int main(){}")
    assert build.binary_name(b"int main(){}") != build.binary_name(b"int main(){return 1;}")


def test_a_failed_build_raises_with_the_compilers_message_and_leaves_nothing(tmp_path):
    cc = fake_compiler(tmp_path, 'echo "supervisor.c:1: error: no" >&2; exit 1')
    with pytest.raises(SandboxError, match="supervisor.c:1: error: no"):
        build_uncached(tmp_path / "cache", cc)
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_missing_compiler_raises(tmp_path):
    with pytest.raises(SandboxError, match="not installed"):
        build_uncached(tmp_path / "cache", str(tmp_path / "no-such-gcc"))


def test_a_cache_others_could_write_to_is_refused(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    os.chmod(cache, 0o777)
    with pytest.raises(SandboxError, match="writable by nobody else"):
        build_uncached(cache, fake_compiler(tmp_path, WRITES_OUTPUT))
