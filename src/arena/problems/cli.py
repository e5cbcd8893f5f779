"""`arena problems import PATH...` and `arena problems list`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from arena.problems.importing import load_problem_dir
from arena.problems.model import ProblemFormatError
from arena.settings import ArenaSettings


def add_problem_commands(subparsers: argparse._SubParsersAction) -> None:
    problems = subparsers.add_parser("problems", help="the problem catalog")
    actions = problems.add_subparsers(dest="action", required=True)
    importing = actions.add_parser("import", help="import Kattis/ICPC packages or Markdown problems")
    importing.add_argument("paths", nargs="+", type=Path, help="package dirs, Markdown files, or dirs holding one")
    importing.set_defaults(run=_import)
    listing = actions.add_parser("list", help="list the catalog")
    listing.set_defaults(run=_list)


def _import(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bootstrap import bootstrap

    arena = bootstrap(settings, judge=False, timers=False)
    failed = 0
    try:
        for path in args.paths:
            try:
                info, created = arena.problems.import_problem(load_problem_dir(path))
            except (ProblemFormatError, OSError) as exc:
                print(f"{path}: not imported: {exc}", file=sys.stderr)
                failed += 1
                continue
            state = "imported" if created else "unchanged"
            print(f"{info.slug}: {state} ({info.sha256[:12]}, {info.title!r}, {info.points} points)")
    finally:
        arena.close()
    return 1 if failed else 0


def _list(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bootstrap import bootstrap

    arena = bootstrap(settings, judge=False, timers=False)
    try:
        for info in arena.problems.list():
            print(f"{info.slug:<24} {info.sha256[:12]}  {info.points:>6}  {info.title}")
    finally:
        arena.close()
    return 0
