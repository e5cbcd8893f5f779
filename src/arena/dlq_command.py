"""`arena dlq list|replay`: the operator's look at dead letters, and their way back."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from arena.cli_parser import BROKER, LOGS
from arena.process_lifecycle import as_command, rabbit_broker, topology_for
from arena.settings import ArenaSettings

if TYPE_CHECKING:
    from arena.bus.dlq import DeadLetter

COLUMNS = ("message_id", "routing_key", "queue", "attempt", "failed_at", "error")


def add_dlq_command(sub: argparse._SubParsersAction) -> None:
    dlq = sub.add_parser("dlq", help="dead letters: list or replay", reads=BROKER + LOGS,
                         description="list: the dead letters, oldest first, as a table (or --json); the "
                                     "queue is left as it was. replay: resend one (--id) or every one "
                                     "(--all) to the queue it failed in; exit 1 if --id names none.")
    dlq.add_argument("action", choices=["list", "replay"], help="what to do")
    dlq.add_argument("--id", default=None, help="replay one message by its message_id")
    dlq.add_argument("--all", action="store_true", help="replay every dead letter")
    dlq.add_argument("--json", action="store_true", help="list: one JSON array (body as text) instead of a table")
    dlq.set_defaults(run=as_command(dlq_main))


async def dlq_main(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bus.dlq import list_dead_letters, replay_dead_letters
    from arena.bus.topology import Topology

    if args.action == "replay" and not (args.id or args.all):
        print("arena dlq replay: say --id MESSAGE_ID or --all", file=sys.stderr)
        return 2
    broker = rabbit_broker(settings, "dlq")
    await broker.connect()  # an operator's command: failing fast is what they want
    try:
        topology = topology_for(settings, Topology())
        if args.action == "list":
            letters = await list_dead_letters(broker, topology=topology)
            print(as_json(letters) if args.json else as_table(letters))
            return 0
        count = await replay_dead_letters(broker, topology=topology, message_id=args.id, replay_all=args.all)
        if args.id and not count:
            print(f"arena dlq replay: no dead letter with message id {args.id!r} (see `arena dlq list`)",
                  file=sys.stderr)
            return 1
        print(f"replayed {count} message(s)")
        return 0
    finally:
        await broker.stop()


def as_table(letters: Sequence[DeadLetter]) -> str:
    if not letters:
        return "no dead letters"
    rows = [COLUMNS] + [tuple(_cell(getattr(letter, column)) for column in COLUMNS) for letter in letters]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]  # the error runs on
    lines = ["  ".join([cell.ljust(width) for cell, width in zip(row, widths)] + [row[-1]]) for row in rows]
    return "\n".join(lines + [f"{len(letters)} dead letter(s)"])


def as_json(letters: Sequence[DeadLetter]) -> str:
    return json.dumps([{column: getattr(letter, column) for column in COLUMNS}
                       | {"body": letter.body.decode("utf-8", "replace")} for letter in letters], indent=2)


def _cell(value: object) -> str:
    return "-" if value is None else " ".join(str(value).split())  # one line per letter
