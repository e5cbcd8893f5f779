"""The C supervisor inside a real bwrap session: what it reports, and the limits it sets."""

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import pytest

from arena.judge.sandbox import Job, SandboxError, Step
from arena.judge.supervisor_binary import supervisor_binary
from judge_helpers import SESSIONS, UID_BASE, leftover_sandbox_processes

MB = 1024 * 1024


def shell(script: str, **limits) -> Step:
    options = dict(time_limit_ms=1000, wall_limit_ms=2000, memory_mb=64,
                   address_space_limit=True, output_cap_bytes=MB)
    return Step(argv=("/bin/sh", "-c", script), **(options | limits))


def job(run: Step, inputs=(b"",), compile: Step | None = None, stop_on_failure=True) -> Job:
    return Job(language="sh", source_name="main.sh", source=b"echo from source\n",
               compile=compile, run=run, inputs=tuple(inputs), stop_on_failure=stop_on_failure)


async def test_each_test_gets_its_input_and_reports_exit_code_and_output(judge):
    report = await judge.sandbox.execute(job(shell("cat; echo err >&2; exit 3"),
                                             inputs=(b"one\n", b"two\n"), stop_on_failure=False))
    assert [(t.stdout, t.stderr, t.exit_code, t.signal) for t in report.tests] == [
        (b"one\n", b"err\n", 3, None), (b"two\n", b"err\n", 3, None)]
    assert all(t.wall_ms > 0 and t.maxrss_kb > 0 and not t.timed_out for t in report.tests)


async def test_judging_stops_at_the_first_failing_test(judge):
    report = await judge.sandbox.execute(job(shell('read x; [ "$x" != bad ]'),
                                             inputs=(b"ok\n", b"bad\n", b"ok\n")))
    assert [t.exit_code for t in report.tests] == [0, 1]


async def test_a_failed_compile_ends_the_session_with_its_merged_message(judge):
    compile_step = shell("cat main.sh; echo broken >&2; exit 1", merge_stderr=True)
    report = await judge.sandbox.execute(job(shell("exit 0"), compile=compile_step))
    assert report.compile.exit_code == 1 and report.tests == ()
    assert report.compile.stdout == b"echo from source\nbroken\n"


async def test_the_player_runs_as_the_session_uid_with_only_path_and_lang(judge):
    script = "id -u; id -G; env | sort; ls -ld /box | cut -d' ' -f3"
    report = await judge.sandbox.execute(job(shell(script)))
    uid, groups, *rest = report.tests[0].stdout.decode().split("\n")
    assert UID_BASE <= int(uid) < UID_BASE + SESSIONS and groups == uid
    assert [line.split("=")[0] for line in rest if "=" in line] == ["LANG", "PATH", "PWD"]
    assert rest[-2] == uid  # /box belongs to the player: compilers write there


async def test_rlimits_from_the_step_apply(judge):
    step = shell("ulimit -t; ulimit -n; ulimit -p; ulimit -v; ulimit -c", time_limit_ms=2000,
                 memory_mb=64, open_files=100, processes=50)
    report = await judge.sandbox.execute(job(step))
    assert report.tests[0].stdout.split() == [b"3", b"100", b"50", str(112 * 1024).encode(), b"0"]


async def test_a_sleeping_program_is_killed_at_the_wall_limit(judge):
    report = await judge.sandbox.execute(job(shell("sleep 30", wall_limit_ms=300)))
    test = report.tests[0]
    assert test.timed_out and test.signal == 9 and test.exit_code is None
    assert leftover_sandbox_processes() == []


async def test_output_past_the_cap_is_flagged_and_capture_is_cut(judge):
    step = shell("head -c 100000 /dev/zero; head -c 20000 /dev/zero >&2",
                 output_cap_bytes=50_000, capture_bytes=1000)
    test = (await judge.sandbox.execute(job(step))).tests[0]
    assert test.output_limit and len(test.stdout) == 1000
    assert len(test.stderr) == 8192  # the first 8 KB: enough for a runtime's last words


async def test_cpu_time_is_measured(judge):
    step = shell("i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done", time_limit_ms=5000,
                 wall_limit_ms=20000)
    test = (await judge.sandbox.execute(job(step))).tests[0]
    assert test.exit_code == 0 and test.cpu_ms > 10


async def test_a_program_that_cannot_start_exits_127_with_a_reason(judge):
    step = Step(argv=("./missing",), time_limit_ms=1000, wall_limit_ms=2000, memory_mb=64,
                address_space_limit=True, output_cap_bytes=MB)
    test = (await judge.sandbox.execute(job(step))).tests[0]
    assert test.exit_code == 127 and b"cannot start ./missing" in test.stderr


async def test_background_processes_die_with_their_test(judge):
    report = await judge.sandbox.execute(job(shell("sleep 60 & echo started"),
                                             inputs=(b"", b"")))
    assert [t.stdout for t in report.tests] == [b"started\n"] * 2
    assert all(t.wall_ms < 30_000 for t in report.tests)  # not waiting on the sleeper
    assert leftover_sandbox_processes() == []


def test_the_supervisor_refuses_to_run_on_the_host(tmp_path):
    # Outside a pid namespace its clean-up (kill(-1) as root) would hit the whole host.
    # Like every judge test, this one needs the machine itself (make test runs there); in a
    # container's pid namespace the guard would rightly let the binary run, and kill(-1) it.
    assert os.stat("/proc/self/ns/pid").st_ino == 0xEFFFFFFC, "run the judge tests on the host"
    done = subprocess.run([str(supervisor_binary())], input=b"", capture_output=True,
                          cwd=tmp_path, timeout=10)
    assert done.returncode == 2 and b"refusing to run" in done.stderr


@pytest.mark.parametrize("marker", [b"MemoryError", b"std::bad_alloc"])
async def test_a_memory_error_message_from_a_clean_exit_does_not_stop_judging(judge, marker):
    step = shell(f"echo {marker.decode()} >&2; cat")
    report = await judge.sandbox.execute(job(step, inputs=(b"1\n", b"2\n")))
    assert [t.stdout for t in report.tests] == [b"1\n", b"2\n"]


async def test_a_session_whose_supervisor_dies_fails_as_the_judges_fault_and_leaves_nothing(judge):
    running = asyncio.create_task(judge.sandbox.execute(job(shell("sleep 5; :"))))
    supervisor = await parent_of_the_process_running(b"sleep 5; :")
    os.kill(supervisor, signal.SIGKILL)  # as a crash of the supervisor would

    with pytest.raises(SandboxError, match="bwrap session failed"):
        await running
    assert leftover_sandbox_processes() == []
    report = await judge.sandbox.execute(job(shell("echo still judging")))
    assert report.tests[0].stdout == b"still judging\n"


async def parent_of_the_process_running(script: bytes) -> int:
    for _ in range(500):
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if cmdline.read_bytes().split(b"\0")[2:3] == [script]:
                    return int((cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
        await asyncio.sleep(0.01)
    raise AssertionError(f"nothing ran {script!r}")
