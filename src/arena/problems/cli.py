"""`arena problems import PATH...` and `arena problems list`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from arena.judge.sandbox import SandboxError
from arena.problems.importing import packages_below, read_problem_dir
from arena.problems.kattis import KattisPackage
from arena.problems.model import Problem, ProblemFormatError
from arena.cli_parser import STORE
from arena.settings import ArenaSettings


def add_problem_commands(subparsers: argparse._SubParsersAction) -> None:
    problems = subparsers.add_parser("problems", help="the problem catalog")
    actions = problems.add_subparsers(dest="action", required=True)
    importing = actions.add_parser(
        "import", help="import Kattis/ICPC packages or Markdown problems",
        reads=STORE + ("sandbox",),
        description="Import problems. A Kattis package's submissions are judged here in the "
                    "sandbox (as root) and must get the verdict their folder names "
                    "(submissions/accepted, wrong_answer, time_limit_exceeded, ...); a package "
                    "without a time limit gets one derived from its accepted submissions.")
    importing.add_argument("paths", nargs="+", type=Path,
                           help="package folders, Markdown files, or folders of packages (every package below)")
    importing.add_argument("--no-verify", action="store_true",
                           help="judge nothing: a package without a time limit gets 1 s (warned)")
    importing.add_argument("--force", action="store_true",
                           help="import a package even when a submission gets another verdict "
                                "than its folder names (the report still lists it)")
    importing.set_defaults(run=_import)
    listing = actions.add_parser("list", help="list the catalog", reads=STORE)
    listing.set_defaults(run=_list)


def _import(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bootstrap import bootstrap

    arena = bootstrap(settings, judge=False, timers=False)
    verifier = _Verifier(settings)
    failed = 0
    try:
        for given in args.paths:
            for path in _packages(given):
                try:
                    package = read_problem_dir(path)
                    problem = _problem(package, path, args, verifier)
                    info, created = arena.problems.import_problem(problem)
                except (ProblemFormatError, OSError, SandboxError) as exc:
                    print(f"{path}: not imported: {exc}", file=sys.stderr)
                    failed += 1
                    continue
                for part in package.ignored:
                    print(f"{path}: warning: ignored: {part}", file=sys.stderr)
                state = "imported" if created else "unchanged"
                print(f"{info.slug}: {state} ({info.sha256[:12]}, {info.title!r}, {info.points} points, "
                      f"time limit {problem.time_limit_ms / 1000:g} s)")
    finally:
        verifier.close()
        arena.close()
    return 1 if failed else 0


def _packages(path: Path) -> list[Path]:
    """The path, or every package below a folder of packages; a path with none stays, so that
    reading it reports why in the same words as a broken package."""
    try:
        return packages_below(path)
    except ProblemFormatError:
        return [path]


def _problem(package: KattisPackage, path: Path, args: argparse.Namespace, verifier: _Verifier) -> Problem:
    if package.time_rule is None and not package.expected:
        return package.problem
    if args.no_verify:
        if package.time_rule is not None:
            print(f"{path}: warning: the package sets no time limit and --no-verify judged nothing: "
                  f"{package.problem.time_limit_ms / 1000:g} s", file=sys.stderr)
        return package.problem
    verification = verifier.verify(package)
    derivation = verification.derivation
    if derivation is not None:
        print(f"{path}: time limit derived: {derivation.problem.time_limit_ms / 1000:g} s "
              f"(slowest accepted {derivation.slowest}: {derivation.slowest_ms / 1000:.3f} s "
              f"x {package.time_rule.multiplier:g}, rounded up)")
    for row in verification.rows:
        print(f"{path}: {row.line()}")
    for warning in verification.warnings:
        print(f"{path}: warning: {warning}", file=sys.stderr)
    mismatches = verification.mismatches
    if mismatches and not args.force:
        raise ProblemFormatError("submissions", f"{len(mismatches)} submission(s) got another verdict "
                                 "than their folder names (see the report; --force imports anyway)")
    for row in mismatches:
        print(f"{path}: warning: imported with --force despite {row.path}", file=sys.stderr)
    return verification.problem


class _Verifier:
    """The real judge, started on the first package that needs it, on its own event loop."""

    def __init__(self, settings: ArenaSettings) -> None:
        self._settings, self._loop, self._judge = settings, None, None

    def verify(self, package: KattisPackage):
        from arena.bootstrap import make_sandbox
        from arena.judge.worker import Judge
        from arena.problems.verify_report import verify_package

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            sandbox = make_sandbox(self._settings.sandbox, **({"warm": 0} if self._settings.sandbox == "bwrap" else {}))
            self._judge = Judge(sandbox=sandbox, slots=1)
        return self._loop.run_until_complete(verify_package(self._judge, package))

    def close(self) -> None:
        if self._loop is not None:
            self._loop.run_until_complete(self._judge.close())
            self._loop.close()


def _list(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bootstrap import bootstrap

    arena = bootstrap(settings, judge=False, timers=False)
    try:
        for info in arena.problems.list():
            print(f"{info.slug:<24} {info.sha256[:12]}  {info.points:>6}  {info.title}")
    finally:
        arena.close()
    return 0
