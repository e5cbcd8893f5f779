"""`arena dlq list|replay`: the operator's look at dead letters, and their way back."""

from __future__ import annotations

import argparse
import sys

from arena.settings import ArenaSettings


async def dlq_main(args: argparse.Namespace, settings: ArenaSettings) -> int:
    from arena.bus.dlq import list_dead_letters, replay_dead_letters
    from arena.bus.topology import Topology
    from arena.processes import _broker, _topology  # the broker and topology every process uses

    broker = _broker(settings, "dlq")
    await broker.connect()  # an operator's command: failing fast is what they want
    try:
        if args.action == "list":
            for letter in await list_dead_letters(broker, topology=_topology(settings, Topology())):
                print(letter)
            return 0
        if not (args.id or args.all):
            print("arena dlq replay: say --id MESSAGE_ID or --all", file=sys.stderr)
            return 2
        count = await replay_dead_letters(broker, topology=_topology(settings, Topology()),
                                          message_id=args.id, replay_all=args.all)
        print(f"replayed {count} message(s)")
        return 0
    finally:
        await broker.stop()
