"""What declare() creates on the real broker is exactly what definitions.json describes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import tempfile

from faststream.rabbit import RabbitBroker

from arena.bus.topology import Topology, declare, to_definitions


def exported(prefix: str) -> dict[str, list[dict]]:
    out = subprocess.run(["rabbitmqctl", "export_definitions", "-", "--silent"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    definitions = json.loads(out[out.index("{"):])
    return {
        "exchanges": [e for e in definitions["exchanges"] if e["name"].startswith(prefix)],
        "queues": [q for q in definitions["queues"] if q["name"].startswith(prefix)],
        "bindings": [b for b in definitions["bindings"] if b["destination"].startswith(prefix)],
    }


def canonical(items: list[dict]) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True) for item in items)


async def test_the_declared_topology_exports_as_the_rendered_definitions(
        topology: Topology, brokers) -> None:
    broker: RabbitBroker = brokers()
    await broker.connect()
    await declare(broker, topology)
    await declare(broker, topology)  # declaring again at the next start-up changes nothing

    live, rendered = exported(topology.prefix), to_definitions(topology)
    for kind in ("exchanges", "queues", "bindings"):
        assert canonical(live[kind]) == canonical(rendered[kind]), kind


async def test_the_rendered_definitions_import_into_rabbitmq_as_they_read(topology: Topology) -> None:
    # Not pytest's tmp_path: the CLI must be able to read the file, and that directory is private.
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        file.write(json.dumps(to_definitions(topology)))
        file.flush()
        os.chmod(file.name, 0o644)
        subprocess.run(["rabbitmqctl", "import_definitions", file.name], check=True,
                       capture_output=True, timeout=60)

    rendered = to_definitions(topology)
    try:
        async with asyncio.timeout(30):  # the import finishes asynchronously
            while len((live := exported(topology.prefix))["bindings"]) < len(rendered["bindings"]):
                await asyncio.sleep(0.2)
        for kind in ("exchanges", "queues", "bindings"):
            assert canonical(live[kind]) == canonical(rendered[kind]), kind
    finally:  # the import set the alternate-exchange policy too; policies outlive exchanges
        for policy in topology.policies():
            subprocess.run(["rabbitmqctl", "clear_policy", policy.name], capture_output=True, timeout=60)
