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
"""

import os
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
    split = sys.argv.index("--")
    command = [arg.replace("{dir}", PROGRAM) for arg in sys.argv[1:split]]
    flags = sys.argv[split + 1:]
    data = sys.stdin.buffer.read()
    head, _, rest = data.partition(b"\n")
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
    try:
        with open(os.path.join(feedback, "judgemessage.txt"), "rb") as file:
            sys.stdout.buffer.write(file.read(MESSAGE_CAP))
    except OSError:
        pass
    if code not in (42, 43):
        sys.stderr.write(f"\nthe output validator exited with {code}\n")
    return {42: 0, 43: 43}.get(code, 3)


if __name__ == "__main__":
    sys.exit(main())
