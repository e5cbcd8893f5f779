"""Hostile programs: each gets its expected verdict, harms nothing, leaves nothing behind, and the
next honest submission is still accepted. The programs live in hostile/, their first line says
which verdicts are acceptable (`expect: TLE RE`)."""

from pathlib import Path

import pytest

from judge_helpers import judged, leftover_sandbox_processes, leftover_session_cgroups, sum_problem
from judge_programs import PROGRAMS

HOSTILE = Path(__file__).with_name("hostile")
EXTENSIONS = {".c": "c", ".cpp": "cpp", ".py": "python", ".js": "javascript", ".java": "java",
              ".rs": "rust"}
PROGRAM_FILES = sorted(p for p in HOSTILE.iterdir() if p.suffix in EXTENSIONS)


def expected_verdicts(path: Path) -> set[str]:
    first = path.read_text().splitlines()[0]
    return set(first.split("expect:", 1)[1].split())


def test_the_hostile_suite_has_at_least_twenty_programs_across_languages():
    assert len(PROGRAM_FILES) >= 20
    assert len({p.suffix for p in PROGRAM_FILES}) >= 3


@pytest.mark.parametrize("path", PROGRAM_FILES, ids=[p.name for p in PROGRAM_FILES])
async def test_hostile_program_gets_its_verdict_and_leaves_nothing_behind(judge, languages, path,
                                                                         monkeypatch):
    language = EXTENSIONS[path.suffix]
    # every toolchain is on these machines (NOTES.md); a missing one is a broken machine, not a pass
    assert language in languages, f"{language} has no working toolchain here"
    monkeypatch.setenv("ARENA_TEST_SECRET", "hunter2")  # must never reach a sandbox
    problem = sum_problem(tests=2, time_limit_ms=500, memory_mb=64)

    result = await judged(judge, language, path.read_text(), problem, submission_id=path.stem)

    assert result.verdict in expected_verdicts(path), result.model_dump()
    assert "hunter2" not in result.model_dump_json()
    assert leftover_sandbox_processes() == []
    assert await leftover_session_cgroups(judge) == []
    honest = await judged(judge, "python", PROGRAMS["python"]["AC"], problem)
    assert honest.verdict == "AC", honest.model_dump()


async def test_include_of_a_host_file_shows_none_of_its_content(judge):
    result = await judged(judge, "c", '#include "/etc/passwd"\nint main(){}\n', sum_problem())
    assert result.verdict == "CE"
    assert "root:" not in result.compile_output
