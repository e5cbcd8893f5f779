"""`arena battles export BATTLE --format json|csv [--events]` for organizers and operators.

json: one document with the final results and the whole event history; csv: the final results
(rank order, a header row), or with --events the event history (log order, each event's data as
JSON in its last column). Both read the event store (battle_export.py).
"""

from __future__ import annotations

import argparse
import sys

from arena.cli_parser import STORE, battle_id
from arena.settings import ArenaSettings


def add_battle_commands(subparsers: argparse._SubParsersAction) -> None:
    battles = subparsers.add_parser("battles", help="a battle's results and history: export",
                                    description="Organizers' tools for one battle.")
    actions = battles.add_subparsers(dest="action", required=True)
    export = actions.add_parser(
        "export", help="write a battle's final results and event history to stdout", reads=STORE,
        description="Write one battle's final results (ranked from every event, by the scoreboard's "
                    "rules) and its whole event history (the battle's and its room players' events, in "
                    "log order) to stdout; exit 1 if there is no such battle.")
    export.add_argument("battle", type=battle_id, help="the battle's id")
    export.add_argument("--format", choices=("json", "csv"), default="json",
                        help="json: {battle_id, status, results, events}; csv: the results")
    export.add_argument("--events", action="store_true", help="csv: the event history instead of the results")
    export.set_defaults(run=_export)


def _export(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.battle_export import export_json, final_results, history, history_csv, results_csv
    from arena.bootstrap import bootstrap
    from arena.domain.errors import NotFound

    arena = bootstrap(settings, judge=False, timers=False)
    try:
        try:
            battle = arena.app.get_battle(args.battle)
        except NotFound:
            print(f"arena: no battle with id {args.battle}", file=sys.stderr)
            return 1
        recorder = arena.app.recorder
        if args.format == "json":
            output = export_json(battle, final_results(battle, arena.engine, recorder),
                                 history(battle, arena.engine, recorder))
        elif args.events:
            output = history_csv(history(battle, arena.engine, recorder))
        else:
            output = results_csv(final_results(battle, arena.engine, recorder))
    finally:
        arena.close()
    sys.stdout.write(output)
    return 0

