"""The docker backend against a real engine (a private dockerd started by the session fixture)."""

import asyncio
from pathlib import Path

import pytest

from arena.judge.docker_backend import DockerSandbox
from arena.judge.worker import Judge
from judge_helpers import judged, sum_problem
from judge_programs import PROGRAMS

pytestmark = pytest.mark.docker
HOSTILE = Path(__file__).with_name("hostile")


@pytest.fixture(scope="module")
async def docker_judge(docker_client, languages):
    sandbox = DockerSandbox(client=docker_client, max_workers=2)
    judge = Judge(sandbox=sandbox, slots=2, languages=languages, compile_time_ms=8000)
    yield judge
    await judge.close()


@pytest.mark.parametrize("language", ["python", "c"])
async def test_an_accepted_program_is_accepted_in_a_container(docker_judge, language):
    result = await judged(docker_judge, language, PROGRAMS[language]["AC"], sum_problem())
    assert result.verdict == "AC", result.model_dump()


@pytest.mark.parametrize("verdict", ["WA", "RE", "TLE", "CE"])
async def test_failing_programs_get_their_verdicts_in_a_container(docker_judge, verdict):
    problem = sum_problem(time_limit_ms=500 if verdict == "TLE" else 2000)
    result = await judged(docker_judge, "c", PROGRAMS["c"][verdict], problem)
    assert result.verdict == verdict, result.model_dump()


@pytest.mark.parametrize("name", ["network_connect.py", "read_host_files.py", "kill_parent.py",
                                  "background_process.py", "environment_secrets.py"])
async def test_escape_attempts_fail_in_a_container(docker_judge, name):
    # Every Docker container sees a read-only /sys (bwrap sessions do not): see docs/judge.md.
    source = (HOSTILE / name).read_text().replace('"/sys", ', "")
    result = await judged(docker_judge, "python", source, sum_problem())
    assert result.verdict == "AC", result.model_dump()


async def test_containers_go_back_to_idle_and_are_reused(docker_judge, docker_client):
    for _ in range(4):
        result = await judged(docker_judge, "python", PROGRAMS["python"]["AC"], sum_problem())
        assert result.verdict == "AC"
    stats = docker_judge.sandbox.pool.stats("python")
    assert stats["total"] <= 2 and stats["idle"] == stats["total"]
    assert len(docker_client.containers.list(filters={"label": "arena.judge=python"})) <= 2


async def test_rapid_submissions_never_share_a_container_or_leak_one(docker_judge, docker_client):
    sources = {f"d{i}": PROGRAMS["python"]["AC"] + f"# {i}\n" for i in range(20)}
    results = await asyncio.gather(*(judged(docker_judge, "python", src, sum_problem(), sid)
                                     for sid, src in sources.items()))
    assert sorted(r.submission_id for r in results) == sorted(sources)
    assert {r.verdict for r in results} == {"AC"}
    assert docker_judge.free_slots == 2
    stats = docker_judge.sandbox.pool.stats("python")
    assert stats["idle"] == stats["total"] <= 2
