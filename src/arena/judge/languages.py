"""Every language the judge knows, from one table; and which of them work on this machine.

Commands are looked up on the sandbox's PATH. In file names and commands, `{file}` is the source's
file name and `{main}` what runs it — fixed for most languages, found from the source for Java
(java_main.py) — and `{memory_mb}` is the problem's memory limit: the JVM and V8 reserve far more address space than they use, so they
run without RLIMIT_AS and get their heap bounded by their own flags (plus the session's memory
cgroup and the ru_maxrss check), see docs/judge.md.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel

from arena.judge.java_main import java_entry

SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
RUST_INSIDE = "/opt/rust"  # where a rustup toolchain outside /usr is bound, read-only


@dataclass(frozen=True)
class Language:
    id: str
    name: str
    file_name: str
    compile: tuple[str, ...] | None
    run: tuple[str, ...]
    version: tuple[str, ...]
    address_space_limit: bool = True
    binds: tuple[tuple[str, str], ...] = ()
    version_text: str = ""
    # (file name, main) from the source, where the language names them after its code (Java)
    entry: Callable[[str], tuple[str, str]] | None = None

    def source_name(self, source: str) -> str:
        return self.entry(source)[0] if self.entry else self.file_name

    def compile_argv(self, source: str) -> tuple[str, ...] | None:
        return self._fill(self.compile, source, 0) if self.compile else None

    def run_argv(self, source: str, memory_mb: int) -> tuple[str, ...]:
        return self._fill(self.run, source, memory_mb)

    def _fill(self, argv: tuple[str, ...], source: str, memory_mb: int) -> tuple[str, ...]:
        file_name, main = self.entry(source) if self.entry else (self.file_name, "main")
        values = {"{file}": file_name, "{main}": main, "{memory_mb}": str(memory_mb)}
        filled = []
        for arg in argv:
            for key, value in values.items():
                arg = arg.replace(key, value)
            filled.append(arg)
        return tuple(filled)


# Go wants a writable build cache and module path; the sandbox's environment holds PATH and LANG
# only (the supervisor knows nothing of languages), so the compile step sets them itself.
_GO_ENV = ("env", "GOCACHE=/tmp/go-cache", "GOPATH=/tmp/go", "CGO_ENABLED=0")
_JVM_RUN = ("java", "-Xmx{memory_mb}m", "-Xss64m", "-XX:+UseSerialGC")


LANGUAGES: tuple[Language, ...] = (
    Language("python", "Python 3", "main.py", ("python3", "-m", "py_compile", "main.py"),
             ("python3", "main.py"), ("python3", "--version")),
    Language("c", "C (gcc)", "main.c", ("gcc", "-std=gnu17", "-O2", "-pipe", "-o", "main",
             "main.c", "-lm"), ("./main",), ("gcc", "-dumpfullversion")),
    Language("cpp", "C++ (g++)", "main.cpp", ("g++", "-std=gnu++20", "-O2", "-pipe", "-o", "main",
             "main.cpp"), ("./main",), ("g++", "-dumpfullversion")),
    Language("java", "Java", "Main.java", ("javac", "-J-Xmx512m", "-encoding", "UTF-8", "{file}"),
             (*_JVM_RUN, "-cp", ".", "{main}"), ("javac", "-version"), address_space_limit=False,
             entry=java_entry),
    Language("javascript", "JavaScript (node)", "main.js", None,
             ("node", "--max-old-space-size={memory_mb}", "main.js"), ("node", "--version"),
             address_space_limit=False),
    Language("rust", "Rust", "main.rs", ("rustc", "--edition=2021", "-O", "-o", "main", "main.rs"),
             ("./main",), ("rustc", "--version")),
    Language("pypy", "Python 3 (PyPy)", "main.py", ("pypy3", "-m", "py_compile", "main.py"),
             ("pypy3", "main.py"), ("pypy3", "--version")),
    # The Go runtime reserves its page summaries up front (gigabytes of address space) and dies
    # under RLIMIT_AS; GOMEMLIMIT makes its collector keep the heap under the problem's limit.
    Language("go", "Go", "main.go", (*_GO_ENV, "go", "build", "-o", "main", "main.go"),
             ("env", "GOMEMLIMIT={memory_mb}MiB", "./main"), ("go", "version"),
             address_space_limit=False),
    # kotlinc names the class holding a top-level main in the jar's manifest: no name to guess.
    Language("kotlin", "Kotlin", "main.kt", ("kotlinc", "-J-Xmx512m", "main.kt", "-include-runtime",
             "-d", "main.jar"), (*_JVM_RUN, "-jar", "main.jar"), ("kotlinc", "-version"),
             address_space_limit=False),
)


class LanguageInfo(BaseModel):
    """What GET /api/v2/languages shows."""

    id: str
    name: str
    version: str


def _version(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20,
                              env={"PATH": os.path.dirname(argv[0]), "LANG": "C.UTF-8"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    # The JVM warns about its flags before kotlinc says its version: not a version line.
    text = [line.strip() for line in (done.stdout or done.stderr).splitlines()
            if line.strip() and not line.startswith(("OpenJDK", "Picked up", "warning"))]
    return text[0] if done.returncode == 0 and text else None


def _resolve(language: Language, extra_paths: tuple[str, ...]) -> Language | None:
    tool = language.version[0]
    found = shutil.which(tool, path=SANDBOX_PATH)
    if found is None and extra_paths:
        found = shutil.which(tool, path=os.pathsep.join(extra_paths))
        if found is None or language.id != "rust":
            return None  # only rustup toolchains are bound in from outside the system dirs
        sysroot = subprocess.run([found, "--print", "sysroot"], capture_output=True, text=True,
                                 timeout=20).stdout.strip()
        rustc = f"{RUST_INSIDE}/bin/rustc"
        found = str(Path(sysroot) / "bin" / "rustc")
        language = replace(language, binds=((sysroot, RUST_INSIDE),),
                           compile=(rustc, *language.compile[1:]))
    if found is None:
        return None
    version = _version([found, *language.version[1:]])
    return replace(language, version_text=version) if version else None


def default_extra_paths() -> tuple[str, ...]:
    cargo = Path.home() / ".cargo" / "bin"
    return (str(cargo),) if cargo.is_dir() else ()


def detect_languages(extra_paths: tuple[str, ...] | None = None) -> dict[str, Language]:
    """The languages whose toolchain answers its version command here, keyed by id."""
    paths = default_extra_paths() if extra_paths is None else extra_paths
    with ThreadPoolExecutor(max_workers=len(LANGUAGES)) as pool:
        found = pool.map(lambda lang: _resolve(lang, paths), LANGUAGES)
    return {lang.id: lang for lang in found if lang is not None}


_detecting = threading.Lock()


@functools.cache
def _detected() -> dict[str, Language]:
    return detect_languages()


def cached_languages() -> dict[str, Language]:
    """Detected once per process: callers that come while it runs wait for that one detection
    (functools.cache alone would let each run its own: JVMs' version commands take seconds)."""
    with _detecting:
        return _detected()


def available_languages() -> list[LanguageInfo]:
    """Languages that work here, with versions; detected once per process, then cached."""
    return [LanguageInfo(id=lang.id, name=lang.name, version=lang.version_text)
            for lang in cached_languages().values()]
