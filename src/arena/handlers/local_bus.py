"""The embedded default's bus: after every save, read the notification log from our tracked
position and hand each event to the projections and handlers in this process.

It is the relay and the consumers of the RabbitMQ topology folded into one loop, with the same
idempotent delivery, so the embedded default behaves like production, only smaller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from uuid import UUID

import structlog
from eventsourcing.application import Application
from sqlalchemy import Engine

from arena.bus.envelope import EventEnvelope, envelope_from_stored
from arena.db.positions import read_position, save_position
from arena.handlers.routing import Consumer, wants
from arena.projections.base import Projection, deliver_page

Handler = Callable[[EventEnvelope], None]
Routed = tuple[Consumer, Handler]  # a handler and the consumer whose routes feed it
log = structlog.get_logger("arena.bus")


class LocalBus:
    def __init__(self, app: Application, engine: Engine, projections: Sequence[Projection],
                 handlers: Sequence[Routed] = (), name: str = "local", page: int = 500) -> None:
        self.app = app
        self.engine = engine
        self.projections = list(projections)
        self.handlers = list(handlers)
        self.name = name
        self.page = page
        self._lock = threading.RLock()
        self._running = threading.local()

    def catch_up(self) -> int:
        """Delivers every event not yet delivered; returns how many. Re-entrant calls (a
        handler that saves) return at once: the outer loop picks their events up."""
        if getattr(self._running, "active", False):
            return 0
        with self._lock:
            self._running.active = True
            try:
                return self._drain()
            finally:
                self._running.active = False

    def fetch(self, originator_id: UUID, gt: int, lte: int) -> list[EventEnvelope]:
        stored = self.app.recorder.select_events(originator_id, gt=gt, lte=lte)
        return [envelope_from_stored(event, self.app.mapper.transcoder) for event in stored]

    def _drain(self) -> int:
        position, delivered = self._position(), 0
        while True:
            notifications = self.app.recorder.select_notifications(
                start=position, limit=self.page, inclusive_of_start=False)
            if not notifications:
                return delivered
            events = [envelope_from_stored(n, self.app.mapper.transcoder) for n in notifications]
            for projection in self.projections:
                self._guarded(projection.name, events[-1], deliver_page, self.engine, projection,
                              events, self.fetch)
            for event in events:
                key = event.routing_key
                for consumer, handler in self.handlers:
                    if wants(consumer, key):  # the routing table decides, as it binds RabbitMQ
                        self._guarded(consumer.name, event, handler, event)
            position = notifications[-1].id
            self._save_position(position)
            delivered += len(notifications)

    @staticmethod
    def _guarded(consumer: str, event: EventEnvelope, function: Callable, *args) -> None:
        """One consumer's failure must neither fail the command that saved the event (it is
        stored) nor starve the other consumers. A projection that failed has not advanced its
        tracking, so that aggregate's next event makes `deliver` fill the gap and retry it;
        `arena projections rebuild` repairs the rest."""
        try:
            function(*args)
        except Exception:
            log.exception("consumer failed", consumer=consumer, event_key=event.idempotency_key,
                          routing_key=event.routing_key)

    def _position(self) -> int:
        return read_position(self.engine, self.name)

    def _save_position(self, position: int) -> None:
        save_position(self.engine, self.name, position)
