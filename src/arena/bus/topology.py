"""Every RabbitMQ exchange, queue and binding arena uses, declared in this one module.

`declare(broker)` creates them at start-up (idempotent); `to_definitions()` renders the same
topology as a RabbitMQ definitions file. Which consumer queues exist and what they are bound to
comes from the routing table (arena.handlers.routing), which builds the Topology; so
infra/rabbitmq/definitions.json is generated, never hand-edited:
    python -m arena.handlers.routing > infra/rabbitmq/definitions.json
(tests/unit/bus checks the file is current). Choices are explained in docs/adr/0101-bus-topology.md
and docs/adr/0012-a-bus-that-trusts-nothing.md (the alternate exchange, passive declares).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

if TYPE_CHECKING:
    from faststream.rabbit import RabbitBroker

EVENTS = "arena.events"  # topic: domain events from the relay, key "<aggregate>.<event>"
WORK = "arena.work"  # topic: commands and work items that are not domain events
DELAY = "arena.delay"  # headers: entry to the delay ladder, header arena-delay-tier picks a tier
REQUEUE = "arena.requeue"  # direct: delay tiers dead-letter here; each consumer queue binds its name
DEAD = "arena.dead"  # fanout: everything that gave up, into arena.dlq
DLQ = "arena.dlq"
# fanout, and its queue: what was published on arena.events or arena.work with a routing key no
# queue is bound to (a typo, a forgotten binding, a stranger) instead of the void. It is set as
# the alternate exchange by a policy, not a declare argument: changing the arguments of an
# existing exchange fails (PRECONDITION_FAILED), a policy applies to brokers already running.
UNROUTED = "arena.unrouted"
UNROUTED_MAX_LENGTH = 100_000  # nobody consumes it: keep the newest, drop the oldest

# Not "x-...": a headers exchange ignores x- headers when matching, so every tier would match.
TIER_HEADER = "arena-delay-tier"

# Fixed-TTL delay queues. Each holds messages of one TTL only, so the head always expires first:
# no head-of-line blocking. A longer delay hops down the ladder (see arena.bus.delayed).
DELAY_TIERS_MS = (100, 1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000)

# A message that keeps killing its consumer (crash before ack) is dead-lettered by the broker
# itself after this many deliveries; handler exceptions are counted by arena.bus.consumer instead.
DELIVERY_LIMIT = 20

# Quorum queues drop dead letters unless the strategy is at-least-once, which needs reject-publish.
_SAFE_DEAD_LETTERING = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


@dataclass(frozen=True)
class ConsumerQueue:
    """A durable work queue and the routing keys it takes from arena.events and arena.work."""

    name: str
    events: tuple[str, ...] = ()
    work: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binding:
    source: str
    destination: str
    routing_key: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """A RabbitMQ policy (set by the operator: definitions.json or rabbitmqctl set_policy)."""

    name: str
    pattern: str
    apply_to: str
    definition: dict[str, Any]
    priority: int = 0


@dataclass(frozen=True)
class Topology:
    """The topology under an optional name prefix (tests use a random one to stay isolated).

    Its consumer queues come from the routing table: arena.handlers.routing.topology()."""

    prefix: str = ""
    consumers: tuple[ConsumerQueue, ...] = ()
    delay_tiers_ms: tuple[int, ...] = DELAY_TIERS_MS
    # False: never create anything, only check it exists (passive declares). A process whose
    # RabbitMQ user has no configure permission (infra/rabbitmq/README.md) runs like that.
    declare: bool = True

    def name(self, base: str) -> str:
        return self.prefix + base

    def exchange(self, base: str) -> RabbitExchange:
        kinds = {EVENTS: ExchangeType.TOPIC, WORK: ExchangeType.TOPIC, DELAY: ExchangeType.HEADERS,
                 REQUEUE: ExchangeType.DIRECT, DEAD: ExchangeType.FANOUT, UNROUTED: ExchangeType.FANOUT}
        return RabbitExchange(self.name(base), type=kinds[base], durable=True, declare=self.declare)

    def exchanges(self) -> list[RabbitExchange]:
        return [self.exchange(base) for base in (EVENTS, WORK, DELAY, REQUEUE, DEAD, UNROUTED)]

    def consumer_queue(self, base: str) -> RabbitQueue:
        if base not in {c.name for c in self.consumers}:
            raise KeyError(f"{base!r} is not a consumer queue of this topology")
        return self._quorum(self.name(base), {"x-dead-letter-exchange": self.name(DEAD),
                                              "x-delivery-limit": DELIVERY_LIMIT, **_SAFE_DEAD_LETTERING})

    def delay_queue(self, tier_ms: int) -> RabbitQueue:
        return self._quorum(self.name(f"{DELAY}.{tier_ms}"), {
            "x-message-ttl": tier_ms, "x-dead-letter-exchange": self.name(REQUEUE), **_SAFE_DEAD_LETTERING})

    def dlq(self) -> RabbitQueue:
        return self._quorum(self.name(DLQ), {})

    def unrouted(self) -> RabbitQueue:
        return self._quorum(self.name(UNROUTED), {"x-max-length": UNROUTED_MAX_LENGTH})

    def queues(self) -> list[RabbitQueue]:
        return ([self.consumer_queue(c.name) for c in self.consumers]
                + [self.delay_queue(t) for t in self.delay_tiers_ms] + [self.dlq(), self.unrouted()])

    def policies(self) -> list[Policy]:
        """arena.unrouted as the alternate exchange of arena.events and arena.work."""
        pattern = "^(" + "|".join(re.escape(self.name(base)) for base in (EVENTS, WORK)) + ")$"
        return [Policy(self.name("arena-unrouted"), pattern, "exchanges",
                       {"alternate-exchange": self.name(UNROUTED)})]

    def _quorum(self, name: str, arguments: dict[str, Any]) -> RabbitQueue:
        return RabbitQueue(name, queue_type=QueueType.QUORUM, durable=True, arguments=arguments,
                           declare=self.declare)

    def bindings(self) -> list[Binding]:
        found = []
        for consumer in self.consumers:
            queue = self.name(consumer.name)
            found += [Binding(self.name(EVENTS), queue, key) for key in consumer.events]
            found += [Binding(self.name(WORK), queue, key) for key in consumer.work]
            found.append(Binding(self.name(REQUEUE), queue, queue))  # retries and timers come back
        for tier in self.delay_tiers_ms:
            found.append(Binding(self.name(DELAY), self.delay_queue(tier).name, "",
                                 {"x-match": "all", TIER_HEADER: str(tier)}))
        found.append(Binding(self.name(DEAD), self.name(DLQ), ""))
        found.append(Binding(self.name(UNROUTED), self.name(UNROUTED), ""))
        return found

    def tier_for(self, remaining_ms: float) -> int:
        """The longest tier that fits in what remains; the shortest if none does (never early)."""
        fitting = [t for t in self.delay_tiers_ms if t <= remaining_ms]
        return max(fitting) if fitting else min(self.delay_tiers_ms)


async def declare(broker: RabbitBroker, topology: Topology | None = None) -> None:
    """Declare the whole topology on a connected broker; safe to repeat (same arguments).

    With `topology.declare` False only check that every exchange and queue exists (passive
    declares need no configure permission); the policy always comes from the operator."""
    topology = topology or Topology()
    exchanges = {ex.name: await broker.declare_exchange(ex) for ex in topology.exchanges()}
    # Queues go through a raw channel on purpose: FastStream caches declared queues per name and
    # would hand subscribers that queue on this channel, ignoring their own prefetch settings.
    channel = next(iter(exchanges.values())).channel
    queues = {}
    for queue in topology.queues():
        queues[queue.name] = await channel.declare_queue(
            queue.name, durable=True, arguments=queue.arguments, passive=not topology.declare)
    if not topology.declare:
        return
    for b in topology.bindings():
        await queues[b.destination].bind(exchanges[b.source], b.routing_key, arguments=b.arguments or None)


def to_definitions(topology: Topology | None = None, vhost: str = "/") -> dict[str, Any]:
    """The topology as RabbitMQ definitions JSON (the shape `rabbitmqctl export_definitions` writes)."""
    topology = topology or Topology()
    return {
        "vhosts": [{"name": vhost}],
        "exchanges": [
            {"name": ex.name, "vhost": vhost, "type": ex.type.value, "durable": True,
             "auto_delete": False, "arguments": {}}
            for ex in topology.exchanges()
        ],
        "queues": [
            {"name": q.name, "vhost": vhost, "type": q.arguments["x-queue-type"], "durable": True,
             "auto_delete": False, "arguments": dict(q.arguments)}
            for q in topology.queues()
        ],
        "bindings": [
            {"source": b.source, "vhost": vhost, "destination": b.destination,
             "destination_type": "queue", "routing_key": b.routing_key, "arguments": dict(b.arguments)}
            for b in topology.bindings()
        ],
        "policies": [
            {"vhost": vhost, "name": p.name, "pattern": p.pattern, "apply-to": p.apply_to,
             "definition": dict(p.definition), "priority": p.priority}
            for p in topology.policies()
        ],
    }


def render(topology: Topology | None = None) -> str:
    return json.dumps(to_definitions(topology), indent=2, sort_keys=True) + "\n"

