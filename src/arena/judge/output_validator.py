"""Custom output validators: built once per validator (named by its content hash) and cached on
the host, then run in a sandbox session of their own, never in the submission's.

The sandbox knows nothing of validators: to it a build is a compile step and a `cat` of the
binary, and a validation is a program (validator_shim.py, in a zip with the built validator)
run once per test with one stdin. Exit codes are the Kattis format's: 42 accepted, 43 wrong
answer; anything else, a crash or a timeout is the validator's failure, an IE, never the
player's fault.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from arena.judge.sandbox import Job, Report, Sandbox, Step, StepReport
from arena.judge.supervisor_binary import default_cache_dir
from arena.judge.verdicts import Verdict
from arena.problems.model import OutputValidator, TestCase

SHIM = Path(__file__).with_name("validator_shim.py")
BUILD_TIME_MS = 60_000  # Kattis' compilation_time default
VALIDATE_TIME_MS = 10_000  # per test
MEMORY_MB = 1024
MESSAGE_CAP = 1024  # judgemessage.txt kept in a verdict
MB = 1024 * 1024
_COMPILERS = {"c": ("gcc", "-std=gnu17", "-O2", "-pipe"), "cpp": ("g++", "-std=gnu++20", "-O2", "-pipe")}
_SOURCES = {"c": (".c",), "cpp": (".cpp", ".cc", ".cxx")}


class ValidatorError(RuntimeError):
    """The validator could not be built or failed: the submission's verdict is IE."""


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    message: str = ""  # judgemessage.txt, capped; for IE, why
    validator_first: bool = False  # interactive: a WA given while the submission still ran


def validator_hash(validator: OutputValidator) -> str:
    what = {"files": [[f.name, f.text] for f in validator.files],
            "compiler": _COMPILERS.get(validator.language), "shim": SHIM.read_text()}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def command(validator: OutputValidator) -> tuple[str, ...]:
    if validator.language != "python":
        return ("{dir}/validator",)
    names = sorted(f.name for f in validator.files if f.name.endswith(".py"))
    entry = "__main__.py" if "__main__.py" in names else names[0]
    return ("python3", f"{{dir}}/{entry}")


class ValidatorCache:
    """Built validators as zips under `root` (default: the judge's cache dir), one per hash."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_cache_dir() / "validators"
        self._locks: dict[str, asyncio.Lock] = {}

    async def program(self, validator: OutputValidator, sandbox: Sandbox) -> bytes:
        digest = validator_hash(validator)
        target = self.root / f"{digest}.zip"
        async with self._locks.setdefault(digest, asyncio.Lock()):
            if not target.exists():
                files = await _program_files(validator, sandbox)
                self._store(target, _zip(files))
        return target.read_bytes()

    def _store(self, target: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, partial = tempfile.mkstemp(dir=self.root, prefix=".building-")
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(partial, target)  # other judges on this host may build the same one


async def _program_files(validator: OutputValidator, sandbox: Sandbox) -> dict[str, bytes]:
    if validator.language == "python":
        return {f.name: f.text.encode() for f in validator.files}
    sources = [f.name for f in validator.files if f.name.endswith(_SOURCES[validator.language])]
    build = ("sh", "-c", 'tar xf "$0" && exec "$@"', "validator.tar",
             *_COMPILERS[validator.language], "-o", "validator", *sources, "-lm")
    report = await sandbox.execute(Job(
        language="validator-build", source_name="validator.tar", source=_tar(validator),
        compile=Step(argv=build, time_limit_ms=BUILD_TIME_MS, wall_limit_ms=BUILD_TIME_MS * 3 // 2,
                     memory_mb=MEMORY_MB, address_space_limit=False, output_cap_bytes=64 * MB,
                     merge_stderr=True, capture_bytes=8192),
        run=Step(argv=("cat", "validator"), time_limit_ms=5000, wall_limit_ms=10_000,
                 memory_mb=64, address_space_limit=True, output_cap_bytes=64 * MB),
        inputs=(b"",)))
    if report.compile is None or not report.compile.finished_cleanly:
        message = report.compile.stdout.decode(errors="replace") if report.compile else ""
        raise ValidatorError(f"the output validator does not compile: {message[:2000]}")
    if len(report.tests) != 1 or not report.tests[0].finished_cleanly or not report.tests[0].stdout:
        raise ValidatorError("the built output validator could not be read back")
    return {"validator": report.tests[0].stdout}


def validation_job(program: bytes, validator: OutputValidator,
                   cases: list[tuple[TestCase, bytes]]) -> Job:
    """One session validating each (test, submission output) in order, stopping at the first
    that is not accepted."""
    bundles = tuple(b"%d %d\n" % (len(i), len(a)) + i + a + out
                    for i, a, out in ((c.input.encode(), c.output.encode(), out) for c, out in cases))
    run = Step(argv=("python3", "-S", "validator.zip", *command(validator), "--", *validator.flags),
               time_limit_ms=VALIDATE_TIME_MS, wall_limit_ms=2 * VALIDATE_TIME_MS + 1000,
               memory_mb=MEMORY_MB, address_space_limit=True,
               # the shim writes the test's files to /tmp: FSIZE must let it
               output_cap_bytes=64 * MB + max((len(b) for b in bundles), default=0),
               capture_bytes=MESSAGE_CAP)
    return Job(language="validator", source_name="validator.zip", source=program, compile=None,
               run=run, inputs=bundles)


def outcomes(report: Report) -> list[Outcome]:
    return [_outcome(step) for step in report.tests]


def _outcome(step: StepReport) -> Outcome:
    message = step.stdout[:MESSAGE_CAP].decode(errors="replace")
    if step.exit_code == 0 and not step.timed_out and not step.output_limit:
        return Outcome(Verdict.AC, message)
    if step.exit_code in (43, 44) and not step.timed_out:
        return Outcome(Verdict.WA, message, validator_first=step.exit_code == 44)
    why = "timed out" if step.timed_out else f"exit {step.exit_code}, signal {step.signal}"
    stderr = step.stderr[-1500:].decode(errors="replace")
    return Outcome(Verdict.IE, f"output validator failed ({why}): {message} {stderr}".strip())


def _tar(validator: OutputValidator) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for f in validator.files:
            data = f.text.encode()
            info = tarfile.TarInfo(f.name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("__main__.py", SHIM.read_bytes())
        for name, data in files.items():
            archive.writestr(f"program/{name}", data)
    return buffer.getvalue()
