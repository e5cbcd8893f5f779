"""Kattis/ICPC packages written here, imported and judged for real in the bwrap sandbox: time
limits derived from their submissions, Java classes not called Main, custom output validators."""

from pathlib import Path

from arena.problems.importing import load_problem_dir, read_problem_dir
from arena.problems.verify import derive_time_limit

from judge_helpers import judged

C_SLOW_AC = r"""#include <stdio.h>
#include <time.h>
int main(void) {
    long long a, b; volatile unsigned long spin = 0;
    if (scanf("%lld %lld", &a, &b) != 2) return 1;
    while (clock() < 12 * CLOCKS_PER_SEC / 10) spin++;  /* ~1.2 s of CPU time */
    printf("%lld\n", a + b);
    return 0;
}
"""
C_FOREVER = "int main(void) { volatile unsigned long x = 0; for (;;) x++; }\n"
JAVA_SOLUTION = """import java.util.Scanner;

public class Solution {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.println(in.nextLong() + in.nextLong());
    }
}
"""
SUM_DATA = {"data/sample/1.in": "1 2\n", "data/sample/1.ans": "3\n",
            "data/secret/1.in": "20 22\n", "data/secret/1.ans": "42\n"}
PI_DATA = {"data/sample/1.in": "pi\n", "data/sample/1.ans": "3.1416\n"}
# A validator as problem setters write them: flags from argv, the team's output on stdin.
FLOAT_VALIDATOR = r"""#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
int main(int argc, char **argv) {
    double tolerance = 0;
    for (int i = 4; i + 1 < argc; i++)
        if (!std::strcmp(argv[i], "float_tolerance")) tolerance = std::atof(argv[i + 1]);
    FILE *answer = std::fopen(argv[2], "r");
    double want, got;
    if (!answer || std::fscanf(answer, "%lf", &want) != 1) return 1;
    if (std::scanf("%lf", &got) != 1 || std::fabs(got - want) > tolerance) {
        FILE *message = std::fopen((std::string(argv[3]) + "judgemessage.txt").c_str(), "w");
        std::fprintf(message, "expected %g, got %g", want, got);
        std::fclose(message);
        return 43;
    }
    return 42;
}
"""


def package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


async def test_a_c_solution_of_1_2_s_in_a_package_without_a_time_limit_gets_a_derived_limit_and_ac(
        judge, tmp_path):
    root = package(tmp_path / "slowsum", {
        "problem.yaml": "problem_format_version: 2023-07-draft\nname: Slow Sum\n", **SUM_DATA,
        "submissions/accepted/slow.c": C_SLOW_AC,
        "submissions/time_limit_exceeded/forever.c": C_FOREVER})
    derivation = await derive_time_limit(judge, read_problem_dir(root))
    assert derivation.slowest == "submissions/accepted/slow.c" and derivation.slowest_ms >= 1100
    assert derivation.problem.time_limit_ms >= 3000 and derivation.warnings == []
    result = await judged(judge, "c", C_SLOW_AC, derivation.problem)
    assert result.verdict == "AC", (result.detail, result.model_dump())


async def test_an_accepted_java_solution_whose_class_is_solution_is_accepted_from_a_package(
        judge, tmp_path):
    root = package(tmp_path / "javasum", {
        "problem.yaml": "name: Java Sum\nlimits:\n  time_limit: 3\n", **SUM_DATA,
        "submissions/accepted/Solution.java": JAVA_SOLUTION})
    imported = read_problem_dir(root)
    assert imported.time_rule is None and imported.problem.time_limit_ms == 3000
    result = await judged(judge, "java", JAVA_SOLUTION, imported.problem)
    assert result.verdict == "AC", (result.detail, result.model_dump())


def float_validator_problem(tmp_path: Path):
    return load_problem_dir(package(tmp_path / "pi", {
        "problem.yaml": "name: Pi\nvalidation: custom\nvalidator_flags: float_tolerance 1e-3\n",
        **PI_DATA, "output_validators/close_enough/validate.cpp": FLOAT_VALIDATOR}))


async def test_a_custom_validator_accepts_an_answer_within_its_float_tolerance(judge, tmp_path):
    problem = float_validator_problem(tmp_path)
    result = await judged(judge, "python", "print('3.14159')\n", problem)
    assert result.verdict == "AC", (result.detail, result.model_dump())


async def test_a_custom_validator_rejects_an_answer_outside_it_with_its_judge_message(judge, tmp_path):
    problem = float_validator_problem(tmp_path)
    result = await judged(judge, "python", "print('3.2')\n", problem)
    assert result.verdict == "WA", result.model_dump()
    assert "expected 3.1416, got 3.2" in result.tests[0].feedback


async def test_a_validator_that_crashes_is_an_internal_error_not_a_wrong_answer(judge, tmp_path):
    problem = load_problem_dir(package(tmp_path / "broken", {
        "problem.yaml": "problem_format_version: 2023-07-draft\nname: Broken\n",
        **PI_DATA, "output_validator/validate.py": "import sys\nraise RuntimeError('validator bug')\n"}))
    result = await judged(judge, "python", "print('3.1416')\n", problem)
    assert result.verdict == "IE", result.model_dump()
    assert "validator" in result.detail


async def test_the_default_validator_ignores_case_unless_the_package_asks_for_it(judge, tmp_path):
    data = {"data/sample/1.in": "x\n", "data/sample/1.ans": "YES  it is\n"}
    lenient = load_problem_dir(package(tmp_path / "lenient", {"problem.yaml": "name: L\n", **data}))
    strict = load_problem_dir(package(tmp_path / "strict", {
        "problem.yaml": "name: S\nvalidator_flags: case_sensitive space_change_sensitive\n", **data}))
    source = "print('yes it is')\n"
    assert (await judged(judge, "python", source, lenient)).verdict == "AC"
    assert (await judged(judge, "python", source, strict)).verdict == "WA"
    assert (await judged(judge, "python", "print('YES  it is')\n", strict)).verdict == "AC"
