"""The relay (`arena relay`): copies the notification log to the arena.events exchange.

At least once, in log order: a page is published concurrently, every publisher confirm is
awaited, and only then is the tracked position ("relay" in bus_positions) advanced. Killed at
any point, the next run starts from the last advanced position and republishes what was in
flight; consumers drop the duplicates by message_id (= the event's idempotency key).
One relay per event store: a second one waits as a standby on the relay lock (bus.log_watch),
and every append wakes the relay through LISTEN/NOTIFY, with polling as the fallback.

Outages (issue 12, finding 2): a database error while reading the log or saving the position
backs off and reads again from the saved position; a broker error while publishing tears the
connection down, backs off, reconnects and re-declares (bus.connecting), and publishes the page
again. Both are logged and counted (arena.retrying). The database down at start is waited out
too. Only losing the lock's session ends the relay (RelayLockLost): a standby may hold it now.

Publishing goes straight onto the events exchange as the broker declared it on its default
channel (publisher confirms on), not through `broker.publish`: FastStream's per-message
pipeline cost about a fifth of the relay's CPU. So the relay opens its publish span itself
(arena.bus.telemetry), where the broker's telemetry middleware used to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import Engine

from arena.bus.connecting import connect_broker, reset
from arena.bus.envelope import EventEnvelope, envelope_from_stored
from arena.bus.log_watch import LogWatch
from arena.bus.publish import publish_on_exchange
from arena.bus.telemetry import publishing
from arena.bus.topology import EVENTS, Topology
from arena.db.positions import read_position, save_position
from arena.metrics import RELAY_PUBLISHED
from arena.retrying import BROKER_DOWN, DATABASE_DOWN, Backoff

if TYPE_CHECKING:
    from aio_pika.abc import AbstractExchange
    from eventsourcing.application import Application
    from eventsourcing.persistence import Notification
    from faststream.rabbit import RabbitBroker

log = structlog.get_logger(__name__)

HeadersHook = Callable[[EventEnvelope], Mapping[str, str]]
CORRELATION_KEYS = ("request_id", "traceparent", "tracestate")


def envelope_from_notification(notification: Notification, transcoder: Any) -> EventEnvelope:
    """One notification of the log as the envelope that travels on the bus."""
    return envelope_from_stored(notification, transcoder, notification_id=notification.id)


def correlation_headers(envelope: EventEnvelope) -> dict[str, str]:
    """Default headers hook: the correlation the API stored with the event under data["meta"]."""
    meta = envelope.data.get("meta")
    if not isinstance(meta, Mapping):
        return {}
    return {key: str(meta[key]) for key in CORRELATION_KEYS if meta.get(key)}


class Relay:
    def __init__(self, app: Application, engine: Engine, broker: RabbitBroker, *,
                 topology: Topology | None = None, batch: int = 500,
                 headers: HeadersHook = correlation_headers, name: str = "relay") -> None:
        self.app = app
        self.engine = engine
        self.broker = broker
        self.topology = topology or Topology()
        self.exchange = self.topology.exchange(EVENTS)
        self.batch = batch
        self.headers = headers
        self.name = name
        self.database = Backoff(name, "database")
        self.rabbit = Backoff(name, "broker")

    async def relay_page(self) -> int:
        """Publish the next page after the tracked position; return how many events it held."""
        position = await asyncio.to_thread(self.position)
        envelopes = await asyncio.to_thread(self._read, position)
        if not envelopes:
            return 0
        exchange = await self.broker.declare_exchange(self.exchange)  # cached after the first page
        # All in flight at once: the confirms come back pipelined, not one round trip each.
        await asyncio.gather(*(self._publish(exchange, envelope) for envelope in envelopes))
        await asyncio.to_thread(self._save_position, envelopes[-1].notification_id)
        RELAY_PUBLISHED.inc(len(envelopes))
        log.debug("relay.page", first=envelopes[0].notification_id,
                  last=envelopes[-1].notification_id, count=len(envelopes))
        return len(envelopes)

    async def run(self, stop_event: asyncio.Event, *, idle_min: float = 0.02,
                  idle_max: float = 1.0, woken: asyncio.Event | None = None) -> None:
        """Relay until `stop_event` is set. While the log is idle, wait for `woken` (set on each
        append, see LogWatch), polling with a backoff as well."""
        idle = idle_min
        woken = woken or asyncio.Event()
        while not stop_event.is_set():
            woken.clear()  # before reading: an append from here on wakes the next wait
            try:
                published = await self.relay_page()
            except DATABASE_DOWN as exc:  # nothing was saved: the next page starts where we were
                await self.database.wait(exc, stop_event)
                continue
            except BROKER_DOWN as exc:  # part of the page may be out: it goes again (at least once)
                await reset(self.broker)
                await self.rabbit.wait(exc, stop_event)
                await connect_broker(self.broker, self.topology, self.rabbit, stop_event)
                continue
            self.database.succeeded()
            self.rabbit.succeeded()
            if published:
                idle = idle_min
                continue
            if not await _first_of(stop_event, woken, timeout=idle):
                idle = min(idle * 2, idle_max)

    async def _publish(self, exchange: AbstractExchange, envelope: EventEnvelope) -> None:
        headers = dict(self.headers(envelope))
        routing_key = envelope.routing_key
        # Continue the API request's trace: consumers' spans hang under this publish.
        with publishing(exchange.name, routing_key, headers):
            await publish_on_exchange(
                exchange, envelope.model_dump_json().encode(), routing_key=routing_key,
                message_id=envelope.idempotency_key, headers=headers,
                correlation_id=headers.get("request_id"))

    def _read(self, position: int) -> Sequence[EventEnvelope]:
        notifications = self.app.recorder.select_notifications(
            start=position, limit=self.batch, inclusive_of_start=False)
        transcoder = self.app.mapper.transcoder
        return [envelope_from_notification(n, transcoder) for n in notifications]

    def position(self) -> int:
        return read_position(self.engine, self.name)

    def _save_position(self, position: int) -> None:
        save_position(self.engine, self.name, position)


async def run_relay(app: Application, engine: Engine, broker: RabbitBroker, *,
                    topology: Topology | None = None, batch: int = 500,
                    stop_event: asyncio.Event | None = None,
                    headers: HeadersHook = correlation_headers,
                    idle: tuple[float, float] = (0.02, 1.0)) -> None:
    """`arena relay`: take the store's relay lock (or wait as a standby), connect, declare the
    topology, and relay until `stop_event` is set, woken by every append."""
    topology = topology or Topology()
    stop_event = stop_event or asyncio.Event()
    relay = Relay(app, engine, broker, topology=topology, batch=batch, headers=headers)
    if engine.dialect.name != "postgresql":  # SQLite: one process, nobody to wait for or notify
        await _connect_and_run(relay, broker, topology, stop_event, idle)
        return
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    lock = f"arena.relay:{relay.name}"
    async with LogWatch(conninfo, app.recorder.channel_name, lock, backoff=relay.database) as watch:
        if not await watch.hold_lock(stop_event):
            return
        await watch.listen()
        running = asyncio.create_task(
            _connect_and_run(relay, broker, topology, stop_event, idle, woken=watch.woken))
        assert watch.lost is not None
        await asyncio.wait([running, watch.lost], return_when=asyncio.FIRST_COMPLETED)
        if not running.done():  # the lock's session dropped: another relay may start now
            running.cancel()
            raise RelayLockLost("lost the relay lock's PostgreSQL session; stopping")
        await running


class RelayLockLost(RuntimeError):
    """The relay's lock went with its PostgreSQL session; the process manager restarts it."""


async def _connect_and_run(relay: Relay, broker: RabbitBroker, topology: Topology,
                           stop_event: asyncio.Event, idle: tuple[float, float],
                           woken: asyncio.Event | None = None) -> None:
    if not await connect_broker(broker, topology, relay.rabbit, stop_event):
        return
    log.info("relay.started")
    await relay.run(stop_event, idle_min=idle[0], idle_max=idle[1], woken=woken)


async def _first_of(*events: asyncio.Event, timeout: float) -> bool:
    """Waits until any of `events` is set (True) or `timeout` passes (False)."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    done, pending = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()
    return bool(done)
