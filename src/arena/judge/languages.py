"""Every language the judge knows, from one table; and which of them work on this machine.

Commands are looked up on the sandbox's PATH. `{memory_mb}` in a run command is replaced by the
problem's memory limit: the JVM and V8 reserve far more address space than they use, so they
run without RLIMIT_AS and get their heap bounded by their own flags (plus the session's memory
cgroup and the ru_maxrss check), see docs/judge.md.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel

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

    def run_argv(self, memory_mb: int) -> tuple[str, ...]:
        return tuple(arg.replace("{memory_mb}", str(memory_mb)) for arg in self.run)


LANGUAGES: tuple[Language, ...] = (
    Language("python", "Python 3", "main.py", ("python3", "-m", "py_compile", "main.py"),
             ("python3", "main.py"), ("python3", "--version")),
    Language("c", "C (gcc)", "main.c", ("gcc", "-std=gnu17", "-O2", "-pipe", "-o", "main",
             "main.c", "-lm"), ("./main",), ("gcc", "-dumpfullversion")),
    Language("cpp", "C++ (g++)", "main.cpp", ("g++", "-std=gnu++20", "-O2", "-pipe", "-o", "main",
             "main.cpp"), ("./main",), ("g++", "-dumpfullversion")),
    Language("java", "Java", "Main.java", ("javac", "-J-Xmx512m", "-encoding", "UTF-8", "Main.java"),
             ("java", "-Xmx{memory_mb}m", "-Xss64m", "-XX:+UseSerialGC", "-cp", ".", "Main"),
             ("javac", "-version"), address_space_limit=False),
    Language("javascript", "JavaScript (node)", "main.js", None,
             ("node", "--max-old-space-size={memory_mb}", "main.js"), ("node", "--version"),
             address_space_limit=False),
    Language("rust", "Rust", "main.rs", ("rustc", "--edition=2021", "-O", "-o", "main", "main.rs"),
             ("./main",), ("rustc", "--version")),
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
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0].strip() if done.returncode == 0 and text else None


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


@functools.cache
def cached_languages() -> dict[str, Language]:
    return detect_languages()


def available_languages() -> list[LanguageInfo]:
    """Languages that work here, with versions; detected once per process, then cached."""
    return [LanguageInfo(id=lang.id, name=lang.name, version=lang.version_text)
            for lang in cached_languages().values()]
