"""Runs INSIDE a validation sandbox, once per test; never imported by the judge.

It is the `__main__.py` of the zip the judge sends as the session's source, next to the built
validator under `program/`, which it unpacks to /tmp on its first test (the session's /tmp lives
as long as the session). The supervisor gives each test one stdin and knows nothing of
validators, so the judge packs a test's three files into that stdin: a line "<input bytes> <answer bytes>\\n", the input, the
judge's answer, then the submission's output. This unpacks them, runs the validator as the
Kattis format says (`validator input judge_answer feedback_dir/ [flags] < team_output`), prints
the feedback dir's judgemessage.txt, and exits 0 (validator said 42, accepted), 43 (it said 43,
wrong answer), or 3 for anything else (the validator failed: a judge error, never the player's).
argv: the validator's command ({dir} is where the program was unpacked), "--", its flags.

With "--interactive" first, the validator talks to a submission running in another sandbox
(interactive.py): the stdin line is "<test index> <input bytes> <answer bytes>", and the
validator's stdin and stdout are the named pipes /io/<index>/from_sub and /io/<index>/to_sub,
opened in the order the submission's side opens them. Who exited first is read off the pipe
the submission writes: closed (POLLHUP) when the validator ends means the submission went first.
Exit 44 is a wrong answer given while the submission still ran (the format lets it beat TLE).
"""

import os
import select
import subprocess
import sys
import tempfile
import zipfile

MESSAGE_CAP = 4096
PROGRAM = "/tmp/validator"


def unpack() -> None:
    if os.path.isdir(PROGRAM):
        return
    partial = tempfile.mkdtemp(dir="/tmp")
    with zipfile.ZipFile(sys.argv[0]) as archive:
        for name in archive.namelist():
            if name.startswith("program/") and not name.endswith("/"):
                target = os.path.join(partial, name[len("program/"):])
                with open(target, "wb") as file:
                    file.write(archive.read(name))
                os.chmod(target, 0o755)
    os.rename(partial, PROGRAM)


def main() -> int:
    unpack()
    interactive = sys.argv[1] == "--interactive"
    split = sys.argv.index("--")
    command = [arg.replace("{dir}", PROGRAM) for arg in sys.argv[1 + interactive:split]]
    flags = sys.argv[split + 1:]
    data = sys.stdin.buffer.read()
    head, _, rest = data.partition(b"\n")
    if interactive:
        index, input_size, answer_size = (int(n) for n in head.split())
        return interact(command, flags, index, rest[:input_size],
                        rest[input_size:input_size + answer_size])
    input_size, answer_size = (int(n) for n in head.split())
    work = tempfile.mkdtemp(dir="/tmp")
    paths = {}
    for name, chunk in (("input", rest[:input_size]),
                        ("judge_answer", rest[input_size:input_size + answer_size]),
                        ("team_output", rest[input_size + answer_size:])):
        paths[name] = os.path.join(work, name)
        with open(paths[name], "wb") as file:
            file.write(chunk)
    feedback = os.path.join(work, "feedback")
    os.mkdir(feedback)
    with open(paths["team_output"], "rb") as team_output:
        code = subprocess.run([*command, paths["input"], paths["judge_answer"], feedback + "/",
                               *flags], stdin=team_output).returncode
    return finish(feedback, code)


def interact(command: list, flags: list, index: int, given: bytes, answer: bytes) -> int:
    work = tempfile.mkdtemp(dir="/tmp")
    for name, chunk in (("input", given), ("judge_answer", answer)):
        with open(os.path.join(work, name), "wb") as file:
            file.write(chunk)
    feedback = os.path.join(work, "feedback")
    os.mkdir(feedback)
    to_sub = os.open(f"/io/{index}/to_sub", os.O_WRONLY)  # waits for the submission's side
    from_sub = os.open(f"/io/{index}/from_sub", os.O_RDONLY)
    validator = subprocess.Popen([*command, os.path.join(work, "input"),
                                  os.path.join(work, "judge_answer"), feedback + "/", *flags],
                                 stdin=from_sub, stdout=to_sub)
    code = validator.wait()
    # Our copy of to_sub kept the submission from seeing an end of file before this look at
    # its pipe: the order of exits is not a race (problemtools' runner holds it likewise).
    poller = select.poll()
    poller.register(from_sub, select.POLLIN)
    submission_first = any(event & select.POLLHUP for _, event in poller.poll(0))
    os.close(to_sub)
    os.close(from_sub)
    if code == 43 and not submission_first:
        code = 44
    return finish(feedback, code)


def finish(feedback: str, code: int) -> int:
    try:
        with open(os.path.join(feedback, "judgemessage.txt"), "rb") as file:
            sys.stdout.buffer.write(file.read(MESSAGE_CAP))
    except OSError:
        pass
    if code not in (42, 43, 44):
        sys.stderr.write(f"\nthe output validator exited with {code}\n")
    return {42: 0, 43: 43, 44: 44}.get(code, 3)


if __name__ == "__main__":
    sys.exit(main())
