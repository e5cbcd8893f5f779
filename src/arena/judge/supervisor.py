"""The in-sandbox supervisor: compile once, run every test, report each result. Stdlib only.

It runs as PID 1 of the sandbox's pid namespace, so no sandboxed process can signal it, and it
keeps a uid the player's processes do not have (they run as `uid` from the job), so they cannot
ptrace it either. Running all tests of a submission in one sandbox amortises the namespace set-up.

Protocol (stdin, from the judge): a record (the job), then the source bytes, then each test's
input bytes, in order, with lengths given in the job. The judge never sends expected answers: the
comparison happens outside, where the player's code cannot read them.
Protocol (stdout, to the judge): a record per step ({"step": "compile"|"test", ...}) followed by
exactly `stdout_len` + `stderr_len` bytes of captured output, then {"step": "done"}.
A record is an 8-digit ASCII length and a marshal'ed dict of plain values. marshal and _signal,
not json and signal: they import nothing, and start-up time is paid once per submission.
"""

import _signal as signal
import marshal
import os
import resource
import select
import sys
import time

MEMORY_ERRORS = (b"MemoryError", b"std::bad_alloc", b"OutOfMemoryError",
                 b"heap out of memory", b"memory allocation of")


def read_exactly(stream, n):
    data = stream.read(n) if n else b""
    if len(data) != n:
        raise SystemExit("supervisor: job stream ended early")
    return data


def reap_everything():
    """Kill every other process of the namespace (PID 1 may) and reap them all."""
    while True:
        try:
            os.kill(-1, 9)
        except ProcessLookupError:
            pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            return
        time.sleep(0.001)


def child_setup(step, stdin_fd, out_fd, err_fd):
    # Python ignores SIGPIPE and SIGXFSZ and exec keeps ignored signals ignored: restore them,
    # or a C program writing past the output cap would spin on EFBIG instead of dying.
    for signum in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    os.dup2(stdin_fd, 0)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    os.closerange(3, 65536)
    os.setsid()
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")  # a memory-cgroup OOM should pick the player's process, not us
    os.setgroups([])
    os.setresgid(step["gid"], step["gid"], step["gid"])
    os.setresuid(step["uid"], step["uid"], step["uid"])  # drops every capability
    for name, value in step["rlimits"].items():
        # CPU: SIGXCPU at the soft limit, SIGKILL a second later if the program ignores it
        hard = value + 1 if name == "CPU" else value
        resource.setrlimit(getattr(resource, "RLIMIT_" + name), (value, hard))


def run_step(step, stdin_bytes):
    """Fork, drop privileges and limits, exec; wait with a wall timeout; return the report."""
    stdin_fd = os.memfd_create("stdin")
    view = memoryview(stdin_bytes)
    while view:
        view = view[os.write(stdin_fd, view):]
    os.lseek(stdin_fd, 0, os.SEEK_SET)
    out_fd = os.memfd_create("stdout")
    err_fd = out_fd if step.get("merge_stderr") else os.memfd_create("stderr")
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            child_setup(step, stdin_fd, out_fd, err_fd)
            os.execvpe(step["argv"][0], step["argv"], step["env"])
        except BaseException as exc:
            os.write(2, ("cannot start %s: %s\n" % (step["argv"][0], exc)).encode())
        os._exit(127)
    pidfd = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    timed_out = not poller.poll(step["wall_ms"])
    if timed_out:
        os.kill(pid, 9)
    _, status, usage = os.wait4(pid, 0)
    wall_ms = (time.monotonic() - started) * 1000
    os.close(pidfd)
    reap_everything()  # background processes die with their test
    report = {
        "exit_code": os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1000, 2),
        "wall_ms": round(wall_ms, 2),
        "maxrss_kb": usage.ru_maxrss,
        "timed_out": timed_out,
    }
    captured = [read_fd(out_fd, step["capture"])]
    report["output_limit"] = os.fstat(out_fd).st_size >= step["output_cap"]
    if err_fd != out_fd:
        captured.append(read_fd(err_fd, step["stderr_capture"]))
        report["output_limit"] |= os.fstat(err_fd).st_size >= step["output_cap"]
        os.close(err_fd)
    else:
        captured.append(b"")
    os.close(out_fd)
    os.close(stdin_fd)
    return report, captured


def read_fd(fd, limit):
    os.lseek(fd, 0, os.SEEK_SET)
    chunks, left = [], limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def failed(step, report, stderr):
    if report["timed_out"] or report["output_limit"] or report["signal"] is not None:
        return True
    if report["exit_code"] != 0 or report["cpu_ms"] > step["time_limit_ms"]:
        return True
    return report["maxrss_kb"] > step["memory_kb"] or any(m in stderr for m in MEMORY_ERRORS)


def read_record(stream):
    size = int(read_exactly(stream, 8))
    return marshal.loads(read_exactly(stream, size))


def emit(out, header, captured=(b"", b"")):
    header["stdout_len"], header["stderr_len"] = len(captured[0]), len(captured[1])
    record = marshal.dumps(header)
    out.write(b"%08d" % len(record) + record + captured[0] + captured[1])
    out.flush()


def main():
    source_in, out = sys.stdin.buffer, sys.stdout.buffer
    job = read_record(source_in)
    with open(job["source_name"], "wb") as f:
        f.write(read_exactly(source_in, job["source_len"]))
    os.chown(".", job["run"]["uid"], job["run"]["gid"])  # the player's uid compiles and runs here
    compile_step = job.get("compile")
    if compile_step:
        report, captured = run_step(compile_step, b"")
        report["step"] = "compile"
        emit(out, report, captured)
        if report["timed_out"] or report["exit_code"] != 0:
            emit(out, {"step": "done"})
            return
    run = job["run"]
    for index, length in enumerate(job["input_lens"]):
        report, captured = run_step(run, read_exactly(source_in, length))
        report.update(step="test", index=index)
        emit(out, report, captured)
        if job.get("stop_on_failure", True) and failed(run, report, captured[1]):
            break
    emit(out, {"step": "done"})


if __name__ == "__main__":
    main()
