"""`arena projections list | rebuild NAME | checksum NAME` for operators."""

from __future__ import annotations

import argparse
import sys

from arena.settings import ArenaSettings


def add_projection_commands(subparsers: argparse._SubParsersAction) -> None:
    projections = subparsers.add_parser("projections", help="read models: list, rebuild, checksum")
    actions = projections.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the projections and their tables").set_defaults(run=_list)
    rebuild = actions.add_parser("rebuild", help="replay the event store into a shadow and swap it in")
    rebuild.add_argument("name")
    rebuild.add_argument("--page", type=int, default=10_000, help="events per read and per transaction")
    rebuild.set_defaults(run=_rebuild)
    checksum = actions.add_parser("checksum", help="sha256 of the live read model's rows")
    checksum.add_argument("name")
    checksum.set_defaults(run=_checksum)


def _list(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.projections.registry import registry

    for name, entry in registry().items():
        print(f"{name}\t{', '.join(table.name for table in entry.tables)}")
    return 0


def _rebuild(args: argparse.Namespace, settings: ArenaSettings) -> int:
    """Rebuilds while the system runs: events that arrive meanwhile are applied before the swap."""
    from arena.bootstrap import bootstrap
    from arena.projections.rebuild import rebuild

    if not _known(args.name):
        return 2
    arena = bootstrap(settings, judge=False, timers=False)
    try:
        result = rebuild(arena.engine, arena.app, args.name, progress=sys.stderr, page=args.page)
    finally:
        arena.close()
    print(f"rebuilt {result.name}: {result.applied} events applied, {result.scanned} log positions, "
          f"{result.seconds:.2f}s", file=sys.stderr)
    print(result.checksum)
    return 0


def _checksum(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bootstrap import bootstrap
    from arena.projections.checksum import checksum

    if not _known(args.name):
        return 2
    arena = bootstrap(settings, judge=False, timers=False)
    try:
        print(checksum(arena.engine, args.name))
    finally:
        arena.close()
    return 0


def _known(name: str) -> bool:
    from arena.projections.registry import registry

    if name in registry():
        return True
    print(f"arena: no projection {name!r} (known: {', '.join(registry())})", file=sys.stderr)
    return False
