from arena.judge.languages import LANGUAGES, Language, detect_languages
from arena.judge.protocol import encode_job, rlimits
from arena.judge.runner import build_job, grade
from arena.judge.sandbox import Report, StepReport
from arena.judge.verdicts import Verdict
from arena.problems.model import Problem, TestCase

PROBLEM = Problem(title="Sum", slug="sum", time_limit_ms=2000, memory_mb=128,
                  samples=(TestCase(input="1 2\n", output="3\n"),),
                  tests=(TestCase(input="2 2\n", output="4\n"),))


def test_the_table_has_each_language_once():
    ids = [lang.id for lang in LANGUAGES]
    assert sorted(ids) == ["c", "cpp", "go", "java", "javascript", "kotlin", "pypy", "python", "rust"]


def test_every_language_has_a_file_name_a_run_and_a_version_command():
    for lang in LANGUAGES:
        assert lang.file_name and lang.run and lang.version


def test_jvm_and_node_get_their_heap_from_the_problem_instead_of_an_address_space_limit():
    by_id = {lang.id: lang for lang in LANGUAGES}
    for lang_id, flag in (("java", "-Xmx128m"), ("javascript", "--max-old-space-size=128"),
                          ("kotlin", "-Xmx128m"), ("go", "GOMEMLIMIT=128MiB")):
        assert not by_id[lang_id].address_space_limit
        assert flag in by_id[lang_id].run_argv("", 128)


def test_a_java_source_is_stored_and_run_under_the_name_of_its_class():
    java = next(lang for lang in LANGUAGES if lang.id == "java")
    source = "public class Solution { public static void main(String[] a) {} }"
    job = build_job(java, source, PROBLEM)
    assert job.source_name == "Solution.java"
    assert job.compile.argv[-1] == "Solution.java" and job.run.argv[-1] == "Solution"


def test_other_languages_keep_their_fixed_file_name():
    c = next(lang for lang in LANGUAGES if lang.id == "c")
    job = build_job(c, "public class Solution {}", PROBLEM)
    assert job.source_name == "main.c" and job.run.argv == ("./main",)


def test_a_language_whose_toolchain_is_missing_is_not_detected(tmp_path):
    found = detect_languages(extra_paths=(str(tmp_path),))
    assert "cobol" not in found
    assert all(isinstance(lang, Language) and lang.version_text for lang in found.values())


def test_a_job_carries_every_test_input_in_order_and_never_the_answers():
    lang = next(lang for lang in LANGUAGES if lang.id == "c")
    job = build_job(lang, "int main(){}", PROBLEM)
    assert job.inputs == (b"1 2\n", b"2 2\n")
    chunks = b"".join(encode_job(job, uid=61000, gid=61000))
    assert b"3\n" not in chunks.split(b"\n", 1)[1].replace(b"int main(){}", b"")
    assert b'"4' not in chunks


def test_run_limits_follow_the_problem():
    lang = next(lang for lang in LANGUAGES if lang.id == "python")
    limits = rlimits(build_job(lang, "", PROBLEM).run)
    assert limits["CPU"] == (3, 4) and limits["AS"][0] >= 128 * 1024 * 1024


def _step(stdout: bytes, **changes) -> StepReport:
    facts = dict(exit_code=0, signal=None, cpu_ms=3.0, wall_ms=4.0, maxrss_kb=9000,
                 timed_out=False, output_limit=False, stdout=stdout, stderr=b"")
    return StepReport(**(facts | changes))


def test_grading_reports_each_test_and_the_maximum_time_and_memory():
    report = Report(compile=_step(b""), tests=(_step(b"3"), _step(b"4", cpu_ms=7.4)))
    result = grade("s1", PROBLEM, report)
    assert result.verdict is Verdict.AC
    assert [t.verdict for t in result.tests] == [Verdict.AC, Verdict.AC]
    assert (result.time_ms, result.memory_kb) == (7, 9000)


def test_a_failed_compilation_is_ce_with_the_compilers_message():
    report = Report(compile=_step(b"main.c:1: error: expected ';'", exit_code=1), tests=())
    result = grade("s1", PROBLEM, report)
    assert result.verdict is Verdict.CE and "expected ';'" in result.compile_output


def test_a_sandbox_that_silently_skips_tests_is_an_internal_error_not_accepted():
    result = grade("s1", PROBLEM, Report(compile=None, tests=(_step(b"3"),)))
    assert result.verdict is Verdict.IE


def test_the_result_is_json_serialisable():
    result = grade("s1", PROBLEM, Report(compile=None, tests=(_step(b"3"), _step(b"5"))))
    assert '"verdict":"WA"' in result.model_dump_json()


def test_the_programs_output_is_kept_capped_on_sample_tests_and_never_on_hidden_ones():
    from arena.judge.runner import SAMPLE_OUTPUT_CAP

    long_output = b"3" + b" " * (SAMPLE_OUTPUT_CAP * 2)
    result = grade("s1", PROBLEM, Report(compile=None, tests=(_step(long_output), _step(b"secret 4"))))
    sample, hidden = result.tests
    assert sample.output is not None and sample.output.startswith("3") and len(sample.output) == SAMPLE_OUTPUT_CAP
    assert hidden.output is None
