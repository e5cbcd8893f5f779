"""`arena dlq list|replay` as an operator runs them (issue 13, item 6): a table or JSON, "no dead
letters" when there are none, and an unknown id is an error that names it. A vhost of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import aio_pika
import pytest

from arena.bus.failures import ATTEMPT, ERROR, ORIGINAL_QUEUE, ORIGINAL_ROUTING_KEY
from arena.bus.topology import Topology
from own_services import fresh_vhost


@pytest.fixture
def broker_url() -> Iterator[str]:
    with fresh_vhost("arena_dlq") as url:
        yield url


def dlq_cli(broker_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    env |= {"ARENA_BROKER_URL": broker_url, "ARENA_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "arena.cli", "dlq", *args], env=env, capture_output=True,
                          text=True, timeout=120)


async def dead_letter(broker_url: str, message_id: str) -> None:
    """A letter as our consumer dead-letters one: the body and where and why it failed."""
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.default_exchange.publish(aio_pika.Message(
            b'{"n": 1}', message_id=message_id,
            headers={ERROR: "ValueError: cannot handle\nthis yet", ORIGINAL_QUEUE: "arena.projections",
                     ORIGINAL_ROUTING_KEY: "battle.started", ATTEMPT: 3}), routing_key=Topology().dlq().name)


async def test_dlq_list_says_so_when_empty_and_prints_a_table_or_json_otherwise(broker_url: str) -> None:
    empty = dlq_cli(broker_url, "list")
    assert (empty.returncode, empty.stdout.strip()) == (0, "no dead letters"), empty.stderr

    await dead_letter(broker_url, "battle:7")
    table = dlq_cli(broker_url, "list").stdout.splitlines()
    assert table[0].split() == ["message_id", "routing_key", "queue", "attempt", "failed_at", "error"]
    assert table[1].split()[:4] == ["battle:7", "battle.started", "arena.projections", "3"]
    assert table[1].endswith("ValueError: cannot handle this yet") and table[-1] == "1 dead letter(s)"

    [letter] = json.loads(dlq_cli(broker_url, "list", "--json").stdout)
    assert letter["message_id"] == "battle:7" and letter["body"] == '{"n": 1}' and letter["attempt"] == 3


async def test_dlq_replay_of_an_unknown_id_exits_1_naming_it_and_keeps_the_others(broker_url: str) -> None:
    assert dlq_cli(broker_url, "list").returncode == 0  # declares the topology, as any process does
    await dead_letter(broker_url, "battle:7")

    done = dlq_cli(broker_url, "replay", "--id", "battle:nope")

    assert done.returncode == 1 and "'battle:nope'" in done.stderr, done.stderr
    assert json.loads(dlq_cli(broker_url, "list", "--json").stdout)[0]["message_id"] == "battle:7"
