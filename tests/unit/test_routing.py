"""The routing table is the single source: every entry names a real event and a consumer that a
real handler serves on both transports, and the broker's bindings are exactly the table's."""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from eventsourcing.domain import Aggregate

import arena.domain.battle as battle_module
import arena.domain.room_player as room_player_module
import arena.domain.settlement as settlement_module
from arena.bus.envelope import EventEnvelope
from arena.handlers.rabbit import WORKER_QUEUES
from arena.handlers.routing import CONSUMERS, JUDGE, ROUTES, TIMERS, keys_for, topology, wants
from arena.handlers.timers import timers_for

T0 = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)


def domain_event_classes() -> set[type]:
    found = set()
    for module in (battle_module, room_player_module, settlement_module):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Aggregate) and cls.__module__ == module.__name__:
                found |= {member for _, member in inspect.getmembers(cls, inspect.isclass)
                          if issubclass(member, Aggregate.Event) and member.__qualname__.startswith(cls.__name__ + ".")}
    return found


def test_every_routed_event_is_a_real_domain_event() -> None:
    real = domain_event_classes()
    assert real, "found no domain events to compare against"
    for event_class in ROUTES:
        assert event_class in real, event_class


def test_every_routed_consumer_has_a_handler_on_rabbitmq() -> None:
    routed = {consumer for consumers in ROUTES.values() for consumer in consumers}
    served_by_worker = {name for name, (consumer, _, _) in WORKER_QUEUES.items() if consumer.name == name}
    served_by_judge = {JUDGE.name}  # `arena judge`
    for consumer in routed:
        assert consumer.name in served_by_worker | served_by_judge, consumer
    # the embedded default's side: tests/integration/test_embedded_routing.py

def test_every_consumer_queue_is_bound_to_exactly_its_routes() -> None:
    bound: dict[str, set[str]] = {}
    for binding in topology().bindings():
        if binding.source == "arena.events":
            bound.setdefault(binding.destination, set()).add(binding.routing_key)
    for consumer in CONSUMERS:
        assert bound.get(consumer.queue, set()) == set(keys_for(consumer)), consumer.name


def test_nothing_is_bound_that_no_handler_serves() -> None:
    # battle.lobby_opened was once bound to the timers queue and handled by nothing
    assert "battle.lobby_opened" not in keys_for(TIMERS)
    assert not wants(TIMERS, "battle.lobby_opened")


def test_the_timers_handler_makes_a_timer_for_every_event_routed_to_it() -> None:
    samples = {"room_player.disconnected": {"at": T0}, "battle.scheduled": {"start_at": T0},
               "battle.started": {"at": T0, "ends_at": T0}, "battle.extended": {"ends_at": T0},
               "settlement.opened": {"battle_id": uuid4(), "ended_at": T0, "wait_until": T0, "awaiting": ["s1"]}}
    assert set(keys_for(TIMERS)) == set(samples)
    for key, data in samples.items():
        event = EventEnvelope(topic=_topic(key), originator_id=uuid4(), originator_version=2,
                              timestamp=T0, data=data)
        assert timers_for(event, leave_after=timedelta(minutes=5)), key


def _topic(key: str) -> str:
    aggregate, event = key.split(".")
    classes = {"battle": "arena.domain.battle:Battle", "room_player": "arena.domain.room_player:RoomPlayer",
               "settlement": "arena.domain.settlement:Settlement"}
    return f"{classes[aggregate]}.{''.join(part.title() for part in event.split('_'))}"


def test_battle_end_verdicts_and_settled_revisions_go_to_the_settlement_and_ratings_after_it() -> None:
    from arena.domain.settlement import Settlement
    from arena.handlers.routing import RATINGS, SETTLEMENT, event_key

    assert wants(SETTLEMENT, event_key(battle_module.Battle.Ended))
    assert wants(SETTLEMENT, event_key(room_player_module.RoomPlayer.VerdictRecorded))
    assert wants(SETTLEMENT, event_key(Settlement.Settled)) and wants(RATINGS, event_key(Settlement.Settled))
    assert not wants(SETTLEMENT, event_key(battle_module.Battle.Cancelled))  # never settled
