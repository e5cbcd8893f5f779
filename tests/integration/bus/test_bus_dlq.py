"""`arena dlq list` and `arena dlq replay` on real RabbitMQ."""

from __future__ import annotations

import pytest
from faststream.rabbit import RabbitBroker

from arena.bus.consumer import Delivery, subscribe
from arena.bus.dlq import list_dead_letters, replay_dead_letters
from arena.bus.topology import Topology, declare
from bus_messages import Ping, eventually, publish_event, until


async def failing_until_fixed(topology: Topology, brokers, fixed: set[int],
                              handled: list[tuple[int, Delivery]]) -> RabbitBroker:
    async def handle(ping: Ping, delivery: Delivery) -> None:
        if ping.n not in fixed:
            raise ValueError(f"cannot handle {ping.n} yet")
        handled.append((ping.n, delivery))

    broker: RabbitBroker = brokers()
    subscribe(broker, "arena.projections", handle, Ping, topology=topology, max_attempts=1)
    await broker.connect()
    await declare(broker, topology)
    await broker.start()
    return broker


async def test_listing_dead_letters_leaves_them_in_the_dlq(topology: Topology, brokers) -> None:
    broker = await failing_until_fixed(topology, brokers, set(), [])
    await publish_event(broker, topology, "battle.started", b'{"n": 1}', "a:1")
    first = await eventually(lambda: list_dead_letters(broker, topology=topology))
    second = await list_dead_letters(broker, topology=topology)
    assert [d.message_id for d in first] == [d.message_id for d in second] == ["a:1"]
    assert first[0].error == "ValueError: cannot handle 1 yet"
    assert first[0].body == b'{"n": 1}'


async def test_replaying_one_dead_letter_resends_it_to_its_queue_and_removes_only_it(
        topology: Topology, brokers) -> None:
    fixed: set[int] = set()
    handled: list[tuple[int, Delivery]] = []
    broker = await failing_until_fixed(topology, brokers, fixed, handled)
    await publish_event(broker, topology, "battle.started", b'{"n": 1}', "a:1")
    await publish_event(broker, topology, "battle.ended", b'{"n": 2}', "b:1")
    await eventually(lambda: _at_least(2, list_dead_letters(broker, topology=topology)))

    fixed.add(1)
    assert await replay_dead_letters(broker, topology=topology, message_id="a:1") == 1
    await until(lambda: [n for n, _ in handled] == [1])

    [(_, delivery)] = handled
    assert (delivery.routing_key, delivery.attempt, delivery.message_id) == ("battle.started", 1, "a:1")
    assert [d.message_id for d in await list_dead_letters(broker, topology=topology)] == ["b:1"]


async def test_replaying_all_dead_letters_empties_the_dlq(topology: Topology, brokers) -> None:
    fixed: set[int] = set()
    handled: list[tuple[int, Delivery]] = []
    broker = await failing_until_fixed(topology, brokers, fixed, handled)
    for n in (1, 2, 3):
        await publish_event(broker, topology, "battle.started", f'{{"n": {n}}}'.encode(), f"m:{n}")
    await eventually(lambda: _at_least(3, list_dead_letters(broker, topology=topology)))

    fixed.update({1, 2, 3})
    assert await replay_dead_letters(broker, topology=topology, replay_all=True) == 3
    await until(lambda: sorted(n for n, _ in handled) == [1, 2, 3])
    assert await list_dead_letters(broker, topology=topology) == []


async def test_replay_needs_an_id_or_all(topology: Topology, brokers) -> None:
    with pytest.raises(ValueError):
        await replay_dead_letters(brokers(), topology=topology)


async def _at_least(count: int, letters):
    found = await letters
    return found if len(found) >= count else None
