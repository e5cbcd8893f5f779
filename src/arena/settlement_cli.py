"""`arena ledger verify [BATTLE] | export BATTLE` for auditors and operators.

verify recomputes settlements from the event store and compares them with the Settlement
aggregates and the ledger (settlement_audit.py): every difference on stdout, one line each,
then a summary; exit 1 if any. export writes a battle's ledger rows (every revision) as CSV or
JSON on stdout.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from arena.cli_parser import STORE, battle_id
from arena.settings import ArenaSettings

EXPORT_COLUMNS = ("battle_id", "revision", "user_id", "season", "rank", "points", "result_hash",
                  "idempotency_key", "applied_at")


def add_ledger_commands(subparsers: argparse._SubParsersAction) -> None:
    ledger = subparsers.add_parser("ledger", help="the settlement ledger: verify, export",
                                   description="Audit the settlement ledger against the event store.")
    actions = ledger.add_subparsers(dest="action", required=True)
    verify = actions.add_parser(
        "verify", help="recompute settlements from the event store and compare them with the ledger", reads=STORE,
        description="Recompute every settlement (or one battle's) from the event store and compare the "
                    "result hash, each player's ledger sums (rank, points) and each ledger row's result "
                    "hash. Prints each difference, then a summary; exit 1 if any differ, 0 otherwise. "
                    "Pending settlements are listed, not counted as differences. A progress bar goes to "
                    "stderr.")
    verify.add_argument("battle", nargs="?", type=battle_id, help="one battle's id (default: every settled battle)")
    verify.set_defaults(run=_verify)
    export = actions.add_parser("export", help="write a battle's ledger rows (every revision) to stdout", reads=STORE,
                                description="Write the ledger rows of one battle, every revision, in "
                                            "(revision, user) order to stdout; exit 1 if the battle has no "
                                            "settlement.")
    export.add_argument("battle", type=battle_id, help="the battle's id")
    export.add_argument("--format", choices=("csv", "json"), default="csv",
                        help="csv (with a header row) or json (an array of objects)")
    export.set_defaults(run=_export)


def _verify(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bootstrap import bootstrap
    from arena.domain.errors import NotFound
    from arena.projections.progress import ProgressBar
    from arena.settlement_audit import Difference, orphan_battles, settlement_ids, verify_settlement

    arena = bootstrap(settings, judge=False, timers=False)
    try:
        if args.battle is not None:
            try:
                settlements = [arena.app.get_settlement(args.battle)]
            except NotFound:
                print(f"arena: battle {args.battle} has no settlement (not ended, cancelled, or unknown)",
                      file=sys.stderr)
                return 1
        else:
            settlements = [arena.app.repository.get(sid) for sid in settlement_ids(arena.app, arena.engine)]
        progress = ProgressBar(len(settlements), sys.stderr, label="settlements")
        differences, rows, pending = [], 0, 0
        for settlement in settlements:
            result = verify_settlement(arena.app, arena.engine, settlement)
            for difference in result.differences:
                print(difference)
            if result.notice:
                print(result.notice)
                pending += 1
            differences += result.differences
            rows += result.rows
            progress.advance(1)
        progress.finish()
        if args.battle is None:
            for orphan in orphan_battles(arena.engine, {str(s.battle_id) for s in settlements}):
                differences.append(Difference(orphan, None, "settlement", "one in the event store for its "
                                              "ledger rows", "none"))
                print(differences[-1])
    finally:
        arena.close()
    summary = f"verified {len(settlements)} settlements, {rows} ledger rows"
    extra = f" ({pending} not yet applied)" if pending else ""
    if differences:
        print(f"{summary}: {len(differences)} differences{extra}")
        return 1
    print(f"{summary}: all match{extra}")
    return 0


def _export(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bootstrap import bootstrap
    from arena.domain.errors import NotFound
    from arena.settlement_audit import ledger_rows

    arena = bootstrap(settings, judge=False, timers=False)
    try:
        try:
            arena.app.get_settlement(args.battle)
        except NotFound:
            print(f"arena: battle {args.battle} has no settlement (not ended, cancelled, or unknown)", file=sys.stderr)
            return 1
        rows = list(ledger_rows(arena.engine, str(args.battle)))
    finally:
        arena.close()
    if args.format == "json":
        json.dump([_plain(row) for row in rows], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows([_plain(row)[column] for column in EXPORT_COLUMNS] for row in rows)
    return 0


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {column: row[column].isoformat() if column == "applied_at" else row[column] for column in EXPORT_COLUMNS}

