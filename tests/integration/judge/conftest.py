"""Fixtures for judging real programs in the bwrap sandbox (and the docker engine when marked)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator

import pytest

from arena.judge.languages import Language, cached_languages
from arena.judge.sandbox import make_sandbox
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
    if reason:
        pytest.skip(reason)
    sandbox = make_sandbox("bwrap", max_sessions=SESSIONS, uid_base=UID_BASE,
                           cgroup_parent=CGROUP_PARENT)
    instance = Judge(sandbox=sandbox, slots=2, compile_time_ms=8000)
    yield instance
    await instance.close()
