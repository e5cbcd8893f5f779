"""Delayed messages through the TTL ladder: they come back after their delay, never early, and a
long delay does not hold up a short one scheduled after it."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker
from pydantic import BaseModel

from arena.bus.consumer import Delivery, subscribe
from arena.bus.delayed import DELIVER_AT, now_ms, schedule
from arena.bus.topology import Topology, declare
from bus_messages import until


class LeaveCheck(BaseModel):
    room_player_id: str


async def test_a_delayed_message_comes_back_after_its_delay_and_a_short_one_overtakes_a_long_one(
        topology: Topology, brokers) -> None:
    arrivals: list[tuple[str, str, int, int]] = []

    async def on_timer(check: LeaveCheck, delivery: Delivery) -> None:
        arrivals.append((check.room_player_id, delivery.routing_key, now_ms(),
                         int(delivery.headers[DELIVER_AT])))

    broker: RabbitBroker = brokers()
    subscribe(broker, "arena.timers", on_timer, LeaveCheck, topology=topology)
    await broker.connect()
    await declare(broker, topology)
    await broker.start()

    # 1.35 s hops the 1 s tier, then 100 ms tiers; 0.2 s goes in after it and must come out first.
    await schedule(broker, "timer.leave_check", LeaveCheck(room_player_id="slow"), 1.35,
                   "leave:slow:1", topology=topology)
    await schedule(broker, "timer.leave_check", {"room_player_id": "fast"}, 0.2,
                   "leave:fast:1", topology=topology)
    await until(lambda: len(arrivals) == 2)

    assert [a[0] for a in arrivals] == ["fast", "slow"]
    assert {a[1] for a in arrivals} == {"timer.leave_check"}
    assert all(arrived >= due for _, _, arrived, due in arrivals), "delivered early"


async def test_a_message_due_now_is_delivered_without_a_detour(topology: Topology, brokers) -> None:
    arrivals: list[str] = []

    async def on_timer(check: LeaveCheck) -> None:
        arrivals.append(check.room_player_id)

    broker: RabbitBroker = brokers()
    subscribe(broker, "arena.timers", on_timer, LeaveCheck, topology=topology)
    await broker.connect()
    await declare(broker, topology)
    await broker.start()

    await schedule(broker, "timer.battle_start", {"room_player_id": "now"}, 0, "start:1", topology=topology)
    await until(lambda: arrivals == ["now"])
