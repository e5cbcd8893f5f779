"""`arena projections list | rebuild NAME | checksum NAME` for operators."""

from __future__ import annotations

import argparse
import sys

from arena.cli_parser import STORE, positive_int
from arena.settings import ArenaSettings


def add_projection_commands(subparsers: argparse._SubParsersAction) -> None:
    projections = subparsers.add_parser("projections", help="read models: list, rebuild, checksum")
    actions = projections.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the projections and their tables", reads=()).set_defaults(run=_list)
    rebuild = actions.add_parser(
        "rebuild", help="replay the event store into a shadow and swap it in", reads=STORE,
        description="Replay the event store into shadow tables and swap them in, in one transaction, "
                    "while the system runs. Refuses to swap (exit 1, the live model untouched) a "
                    "rebuild that applied nothing from a log holding the projection's events, or "
                    "that has fewer rows than the live model, unless --force. Prints the checksum.")
    rebuild.add_argument("name", help="a projection (see `arena projections list`)")
    rebuild.add_argument("--page", type=positive_int, default=10_000, help="events per read and per transaction")
    rebuild.add_argument("--force", action="store_true",
                         help="swap in a rebuild with fewer rows than the live model (the live one is wrong)")
    rebuild.set_defaults(run=_rebuild)
    checksum = actions.add_parser("checksum", help="sha256 of the live read model's rows", reads=STORE)
    checksum.add_argument("name", help="a projection (see `arena projections list`)")
    checksum.set_defaults(run=_checksum)


def _list(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.projections.registry import registry

    for name, entry in registry().items():
        print(f"{name}\t{', '.join(table.name for table in entry.tables)}")
    return 0


def _rebuild(args: argparse.Namespace, settings: ArenaSettings) -> int:
    """Rebuilds while the system runs: events that arrive meanwhile are applied before the swap."""
    from arena.bootstrap import bootstrap
    from arena.projections.rebuild import RebuildRefused, rebuild

    if not _known(args.name):
        return 2
    arena = bootstrap(settings, judge=False, timers=False)
    try:
        result = rebuild(arena.engine, arena.app, args.name, progress=sys.stderr, page=args.page,
                         force=args.force)
    except RebuildRefused as exc:
        print(f"arena projections rebuild {args.name}: not swapped in, the live model is untouched: {exc}",
              file=sys.stderr)
        return 1
    finally:
        arena.close()
    print(f"rebuilt {result.name}: {result.applied} events applied from {result.scanned} log positions, "
          f"{result.rows} rows, {result.seconds:.2f}s", file=sys.stderr)
    print(f"{result.name} checksum {result.checksum}")
    return 0


def _checksum(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bootstrap import bootstrap
    from arena.projections.checksum import checksum

    if not _known(args.name):
        return 2
    arena = bootstrap(settings, judge=False, timers=False)
    try:
        print(f"{args.name} checksum {checksum(arena.engine, args.name)}")
    finally:
        arena.close()
    return 0


def _known(name: str) -> bool:
    from arena.projections.registry import registry

    if name in registry():
        return True
    print(f"arena: no projection {name!r} (known: {', '.join(registry())})", file=sys.stderr)
    return False
