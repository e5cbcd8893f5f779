"""Every language that works here, judged for real in the bwrap sandbox."""

import pytest

from arena.judge.languages import LANGUAGES

from judge_helpers import judged, leftover_sandbox_processes, sum_problem
from judge_programs import PROGRAMS

CASES = [(lang, verdict) for lang, table in PROGRAMS.items() for verdict in table]


@pytest.mark.parametrize(("language", "expected"), CASES, ids=[f"{l}-{v}" for l, v in CASES])
async def test_each_language_gets_the_verdict_its_program_deserves(judge, languages, language,
                                                                  expected):
    assert language in languages, f"{language} has no working toolchain here"
    # Short limits where the clock is the point; generous ones where JVM start-up under load is not.
    time_limit_ms = 500 if expected == "TLE" else 3000
    problem = sum_problem(tests=3, time_limit_ms=time_limit_ms, memory_mb=128)
    result = await judged(judge, language, PROGRAMS[language][expected], problem)
    assert result.verdict == expected, result.model_dump()
    assert leftover_sandbox_processes() == []


async def test_an_accepted_run_reports_time_memory_and_exit_code_per_test(judge):
    result = await judged(judge, "c", PROGRAMS["c"]["AC"], sum_problem(tests=4))
    assert [t.index for t in result.tests] == [0, 1, 2, 3, 4]
    assert all(t.verdict == "AC" and t.exit_code == 0 and t.memory_kb > 0 for t in result.tests)
    assert result.memory_kb == max(t.memory_kb for t in result.tests)


async def test_a_compile_error_carries_the_compilers_message(judge):
    result = await judged(judge, "c", PROGRAMS["c"]["CE"], sum_problem())
    assert result.verdict == "CE" and "x" in result.compile_output and result.tests == []


async def test_judging_stops_at_the_first_failing_test(judge):
    source = "import sys\na, b = map(int, input().split())\nprint(a + b if a < 2 else 0)\n"
    result = await judged(judge, "python", source, sum_problem(tests=5))
    assert result.verdict == "WA"
    assert [t.verdict for t in result.tests][:3] == ["AC", "AC", "AC"]


async def test_an_unknown_language_is_a_compile_error_not_an_internal_one(judge):
    result = await judged(judge, "cobol", "DISPLAY 'HI'.", sum_problem())
    assert result.verdict == "CE" and "cobol" in result.compile_output


def test_every_language_in_the_table_works_on_this_machine(languages):
    missing = {lang.id for lang in LANGUAGES} - set(languages)
    assert not missing, f"toolchains missing here: {missing}"


async def test_an_accepted_java_solution_whose_class_is_not_main_is_accepted(judge):
    source = ("import java.util.*;\n\npublic class Solution {\n    public static void main(String[] args) {\n"
              "        Scanner in = new Scanner(System.in);\n"
              "        System.out.println(in.nextLong() + in.nextLong());\n    }\n}\n")
    result = await judged(judge, "java", source, sum_problem(tests=2, time_limit_ms=3000))
    assert result.verdict == "AC", result.model_dump()
