"""The ONE routing table: which consumers each domain event goes to.

The embedded bus (which handlers it calls), the RabbitMQ consumers (`arena worker`, `arena
judge`) and the topology's bindings are all derived from ROUTES and CONSUMERS, so a binding
without a handler, or a handler nothing feeds, cannot be written down (tests/unit/test_routing.py).
Regenerate the broker's definitions and each process's permissions after a change:
    python -m arena.handlers.routing > infra/rabbitmq/definitions.json
    python -m arena.handlers.routing --access > infra/rabbitmq/access.sh
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from arena.bus.access import Grant, grants, rabbitmqctl_script
from arena.bus.envelope import routing_key
from arena.bus.topology import ConsumerQueue, Topology, render
from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer
from arena.domain.settlement import Settlement


@dataclass(frozen=True)
class Consumer:
    """One consumer: one durable queue, one handler per transport."""

    name: str  # `arena worker --only NAME`; the judge's is `arena judge`
    queue: str
    every_event: bool = False  # read models see the whole log
    work: tuple[str, ...] = ()  # messages on arena.work that are not domain events


PROJECTIONS = Consumer("projections", "arena.projections", every_event=True)
TIMERS = Consumer("timers", "arena.timers")
COMMANDS = Consumer("commands", "arena.commands", work=("judge.results",))
SETTLEMENT = Consumer("settlement", "arena.settlement")
RATINGS = Consumer("ratings", "arena.ratings")
LIMITS = Consumer("limits", "arena.limits")  # a verdict frees its submission's in-flight slot
JUDGE = Consumer("judge", "judge.requests")
CONSUMERS = (PROJECTIONS, TIMERS, COMMANDS, SETTLEMENT, RATINGS, LIMITS, JUDGE)

ROUTES: dict[type, tuple[Consumer, ...]] = {
    RoomPlayer.SubmissionReceived: (JUDGE,),
    RoomPlayer.RejudgeRequested: (JUDGE,),  # judged again; its verdict returns on judge.results
    RoomPlayer.Disconnected: (TIMERS,),  # the leave timer
    Battle.Scheduled: (TIMERS,),  # the start timer
    Battle.Started: (TIMERS,),  # the end timer
    Battle.Extended: (TIMERS,),  # a later end timer
    Battle.Ended: (SETTLEMENT,),
    # after the end: completes or revises the settlement; always: frees an in-flight slot
    RoomPlayer.VerdictRecorded: (SETTLEMENT, LIMITS),
    RoomPlayer.VerdictRevised: (SETTLEMENT,),  # after the end: a new settlement revision, if it changes one
    Settlement.Opened: (TIMERS,),  # the end of the wait for verdicts
    Settlement.Settled: (SETTLEMENT, RATINGS),  # the ledger, then (apart) the ratings
}

LIVE_QUEUE_PREFIX = "arena.live."  # + host, pid and a random suffix: each API instance's own queue
# What each API instance's own live queue is bound to (arena.live, docs/adr/0024): a battle's
# states, its room's presence and its verdicts. Not a Consumer: the queue is exclusive to one
# instance and dies with it, so it is declared by that instance and not in definitions.json.
LIVE_EVENTS: tuple[type, ...] = (
    Battle.Created, Battle.LobbyOpened, Battle.Started, Battle.Extended, Battle.Ended, Battle.Cancelled,
    Battle.Configured, Battle.ProblemAttached, Battle.ProblemDetached,
    RoomPlayer.Joined, RoomPlayer.Reconnected, RoomPlayer.Disconnected, RoomPlayer.Left, RoomPlayer.Completed,
    RoomPlayer.VerdictRecorded, RoomPlayer.VerdictRevised)


def event_key(event_class: type) -> str:
    """The routing key of an event class: Battle.Started -> 'battle.started'."""
    return routing_key(f"{event_class.__module__}:{event_class.__qualname__}")


def keys_for(consumer: Consumer) -> tuple[str, ...]:
    if consumer.every_event:
        return ("#",)
    return tuple(event_key(cls) for cls, consumers in ROUTES.items() if consumer in consumers)


def live_keys() -> tuple[str, ...]:
    """The routing keys an API instance's live queue is bound to."""
    return tuple(event_key(cls) for cls in LIVE_EVENTS)


def wants(consumer: Consumer, key: str) -> bool:
    """Whether an event with this routing key goes to this consumer."""
    return consumer.every_event or key in _KEYS[consumer.name]


def consumer_queues() -> tuple[ConsumerQueue, ...]:
    return tuple(ConsumerQueue(c.queue, events=keys_for(c), work=c.work) for c in CONSUMERS)


def topology(prefix: str = "") -> Topology:
    """The broker's topology, with a consumer queue per consumer bound to its routes."""
    return Topology(prefix=prefix, consumers=consumer_queues())


def access(prefix: str = "") -> list[Grant]:
    """Each process's RabbitMQ permissions: `arena judge` reads JUDGE's queue, `arena worker`
    every other consumer's, `arena serve` its own live queues."""
    return grants(topology(prefix), worker_queues=[c.queue for c in CONSUMERS if c is not JUDGE],
                  judge_queues=[JUDGE.queue], live_queue_prefix=LIVE_QUEUE_PREFIX)


_KEYS = {consumer.name: frozenset(keys_for(consumer)) for consumer in CONSUMERS}

if __name__ == "__main__":
    if sys.argv[1:] == ["--access"]:
        sys.stdout.write(rabbitmqctl_script(topology(), access()))
    else:
        sys.stdout.write(render(topology()))
