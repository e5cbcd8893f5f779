import signal

import pytest

from arena.judge.sandbox import StepReport
from arena.judge.verdicts import Verdict, compile_failed, overall_verdict, grade_test


def report(**changes) -> StepReport:
    facts = dict(exit_code=0, signal=None, cpu_ms=5.0, wall_ms=6.0, maxrss_kb=9000,
                 timed_out=False, output_limit=False, stdout=b"3\n", stderr=b"")
    facts.update(changes)
    return StepReport(**facts)


def verdict_of(run: StepReport, expected: bytes = b"3\n", oom_killed: bool = False) -> Verdict:
    return grade_test(run, expected, time_limit_ms=1000, memory_mb=64,
                        oom_killed=oom_killed)


def test_correct_output_in_time_is_accepted():
    assert verdict_of(report()) is Verdict.AC


def test_wrong_output_is_wrong_answer():
    assert verdict_of(report(stdout=b"4\n")) is Verdict.WA


def test_nonzero_exit_is_runtime_error_even_with_the_right_output():
    assert verdict_of(report(exit_code=1)) is Verdict.RE


def test_a_segfault_is_runtime_error():
    assert verdict_of(report(exit_code=None, signal=signal.SIGSEGV)) is Verdict.RE


def test_cpu_time_over_the_limit_is_time_limit_exceeded():
    assert verdict_of(report(cpu_ms=1000.5)) is Verdict.TLE


def test_killed_by_the_cpu_rlimit_is_time_limit_exceeded_not_runtime_error():
    assert verdict_of(report(exit_code=None, signal=signal.SIGXCPU)) is Verdict.TLE
    assert verdict_of(report(exit_code=None, signal=signal.SIGKILL, cpu_ms=2100)) is Verdict.TLE


def test_a_wall_clock_timeout_is_time_limit_exceeded():
    assert verdict_of(report(exit_code=None, signal=9, timed_out=True, cpu_ms=0)) is Verdict.TLE


def test_output_over_the_cap_is_output_limit_exceeded_even_if_it_then_crashed():
    assert verdict_of(report(output_limit=True, exit_code=1)) is Verdict.OLE
    assert verdict_of(report(exit_code=None, signal=signal.SIGXFSZ)) is Verdict.OLE


def test_resident_memory_over_the_limit_is_memory_limit_exceeded():
    assert verdict_of(report(maxrss_kb=64 * 1024 + 1)) is Verdict.MLE


def test_python_memory_error_under_an_address_space_limit_is_mle_not_re():
    run = report(exit_code=1, stderr=b"Traceback...\nMemoryError\n", maxrss_kb=30000)
    assert verdict_of(run) is Verdict.MLE


def test_cpp_bad_alloc_and_java_and_node_heap_errors_are_mle():
    for text in (b"terminate called after throwing an instance of 'std::bad_alloc'",
                 b'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
                 b"FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"):
        assert verdict_of(report(exit_code=None, signal=6, stderr=text)) is Verdict.MLE


def test_sigkill_from_the_memory_cgroup_is_mle():
    assert verdict_of(report(exit_code=None, signal=9), oom_killed=True) is Verdict.MLE


def test_memory_over_the_limit_wins_over_the_clock():
    run = report(timed_out=True, maxrss_kb=10**6, exit_code=None, signal=9)
    assert verdict_of(run) is Verdict.MLE


def test_time_limit_wins_over_a_crash_and_an_out_of_memory_message():
    run = report(timed_out=True, exit_code=None, signal=9, stderr=b"MemoryError")
    assert verdict_of(run) is Verdict.TLE


def test_compilation_failure_is_ce_before_anything_else():
    assert overall_verdict(True, [Verdict.AC]) is Verdict.CE


def test_overall_verdict_is_the_first_failing_tests_verdict():
    assert overall_verdict(False, [Verdict.AC, Verdict.WA, Verdict.TLE]) is Verdict.WA
    assert overall_verdict(False, [Verdict.AC, Verdict.TLE, Verdict.WA]) is Verdict.TLE


def test_all_tests_accepted_is_accepted():
    assert overall_verdict(False, [Verdict.AC] * 10) is Verdict.AC


@pytest.mark.parametrize("facts,failed", [
    (dict(exit_code=0), False),
    (dict(exit_code=1), True),
    (dict(exit_code=None, signal=9, timed_out=True), True),
])
def test_a_compile_step_fails_unless_it_exits_zero_in_time(facts, failed):
    assert compile_failed(report(**facts)) is failed
    assert compile_failed(None) is False
