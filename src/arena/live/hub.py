"""One API instance's live fan-out: the events it is fed (from its own bus queue, or the local
bus) go, in log order, to each watched battle's stream, whose messages go to that battle's
sockets. No socket ever reads the database after its catch-up.

The hand-over from catch-up to live (docs/adr/0024): a subscriber is registered, buffering,
BEFORE the log's end is read for its catch-up. Whatever commits after that read reaches the
hub after the registration, so it is in the buffer; whatever committed before is in the
catch-up. The overlap is dropped by position (nothing at or below the catch-up's end is sent
from the buffer), so there is no gap and no duplicate. A battle's shared stream starts the
same way, before any of its subscribers registers.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import structlog

from arena.bus.envelope import EventEnvelope
from arena.live.log import battle_rows, log_end
from arena.live.stream import TOPICS, BattleStream, Outgoing

log = structlog.get_logger("arena.live")

SLOW_CONSUMER = 4429  # the socket's send buffer passed its bound: resume with `after`
RESTART = 1012  # the instance lost its feed (or stops): resume with `after`


@dataclass(eq=False)
class Subscriber:
    """One socket: the encoded messages waiting to be sent, bounded."""

    user_id: str | None
    max_pending: int
    is_admin: bool = False  # an admin of the battle sees the board unfrozen
    pending: deque[tuple[int, str]] = field(default_factory=deque)  # (position, JSON text)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)  # set when the hub closes it
    buffering: bool = True  # until the catch-up is queued
    floor: int = 0  # nothing at or below this position is sent (the catch-up had it)
    last: int = 0  # the last position queued
    closed: int | None = None  # a close code, once the hub gives up on this socket
    held: list[tuple[int, str]] = field(default_factory=list)  # live messages during the catch-up

    def offer(self, position: int, text: str) -> None:
        if self.closed is not None:
            return
        if self.buffering:
            self.held.append((position, text))
            return
        self._queue(position, text)

    def start_live(self, catch_up: list[tuple[int, str]], end: int) -> None:
        """Queues the catch-up (read up to `end`), then what arrived live meanwhile, past `end`."""
        for position, text in catch_up:
            self._queue(position, text)
        self.floor, self.buffering = end, False
        for position, text in self.held:
            self._queue(position, text)
        self.held.clear()

    def close(self, code: int) -> None:
        if self.closed is None:
            self.closed = code
            self.pending.clear()
            self.held.clear()
            self.wake.set()
            self.ended.set()

    def _queue(self, position: int, text: str) -> None:
        if position <= self.last or position <= self.floor:
            return  # a duplicate: the catch-up or the feed had it already
        if len(self.pending) >= self.max_pending:
            self.close(SLOW_CONSUMER)  # never wait for it: the others must not slow down
            return
        self.pending.append((position, text))
        self.last = position
        self.wake.set()


@dataclass(eq=False)
class Channel:
    stream: BattleStream
    subscribers: set[Subscriber] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    loading: list[EventEnvelope] | None = field(default_factory=list)  # fed while it loads


class LiveHub:
    def __init__(self, app: Any, engine: Any, max_pending: int = 1000) -> None:
        self.app, self.engine, self.max_pending = app, engine, max_pending
        self.loop: asyncio.AbstractEventLoop | None = None
        self.channels: dict[str, Channel] = {}
        self.room_players: dict[str, str] = {}  # room player id -> battle id, of watched battles

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def feed_threadsafe(self, envelope: EventEnvelope) -> None:
        """From the local bus's thread: hand the event to the loop, keeping the order."""
        if self.loop is not None and self.channels:
            self.loop.call_soon_threadsafe(self.feed, envelope)

    def feed(self, envelope: EventEnvelope) -> None:
        """One event from the feed, in log order (on the loop)."""
        if envelope.topic not in TOPICS or envelope.notification_id is None:
            return
        aggregate = str(envelope.originator_id)
        battle = envelope.data.get("battle_id")
        battle_id = self.room_players.get(aggregate) or (str(battle) if battle else aggregate)
        channel = self.channels.get(battle_id)
        if channel is None:
            for loading in self.channels.values():  # a room player the loading stream may know
                if loading.loading is not None and battle is None:
                    loading.loading.append(envelope)
            return
        if channel.loading is not None:
            channel.loading.append(envelope)
            return
        self._apply(channel, envelope)

    def reset(self, code: int = RESTART) -> None:
        """The feed broke (events may have been missed): every socket must resume."""
        for channel in list(self.channels.values()):
            for subscriber in list(channel.subscribers):
                subscriber.close(code)
        self.channels.clear()
        self.room_players.clear()

    async def subscribe(self, battle_id: UUID, user_id: str | None, after: int | None,
                        is_admin: bool = False) -> Subscriber:
        """Registers a socket and queues its catch-up; it then receives live messages."""
        key = str(battle_id)
        channel = await self._channel(key)
        subscriber = Subscriber(user_id, self.max_pending, is_admin)
        channel.subscribers.add(subscriber)
        try:
            catch_up, end = await asyncio.to_thread(self._catch_up, battle_id, user_id, after, is_admin)
        except BaseException:
            self.unsubscribe(battle_id, subscriber)
            raise
        subscriber.start_live(catch_up, end)
        return subscriber

    def unsubscribe(self, battle_id: UUID, subscriber: Subscriber) -> None:
        key = str(battle_id)
        channel = self.channels.get(key)
        if channel is None:
            return
        channel.subscribers.discard(subscriber)
        if not channel.subscribers and channel.ready.is_set():
            del self.channels[key]
            for aggregate in channel.stream.players:
                self.room_players.pop(aggregate, None)

    def _catch_up(self, battle_id: UUID, user_id: str | None, after: int | None,
                  is_admin: bool = False) -> tuple[list[tuple[int, str]], int]:
        end = log_end(self.app)
        stream = BattleStream(str(battle_id))
        rows = battle_rows(self.app, self.engine, battle_id, end)
        if after is None:
            stream.fold(rows)
            out = stream.snapshot()
        else:
            stream.fold(row for row in rows if row[0] <= after)
            out = stream.fold(row for row in rows if row[0] > after)
        return [(o.message.position, encode(o)) for o in out if o.for_user(user_id, is_admin)], end

    async def _channel(self, key: str) -> Channel:
        channel = self.channels.get(key)
        if channel is None:
            channel = self.channels[key] = Channel(BattleStream(key))
            try:
                await asyncio.to_thread(self._load, channel, UUID(key))
            except BaseException:
                self.channels.pop(key, None)
                channel.ready.set()
                raise
            for aggregate in channel.stream.players:
                self.room_players[aggregate] = key
            held, channel.loading = channel.loading or [], None
            for envelope in held:
                self._apply(channel, envelope)
            channel.ready.set()
        await channel.ready.wait()
        if self.channels.get(key) is not channel:  # its load failed: try again
            return await self._channel(key)
        return channel

    def _load(self, channel: Channel, battle_id: UUID) -> None:
        end = log_end(self.app)
        channel.stream.fold(battle_rows(self.app, self.engine, battle_id, end))
        channel.stream.position = max(channel.stream.position, end)

    def _apply(self, channel: Channel, envelope: EventEnvelope) -> None:
        stream = channel.stream
        out = stream.apply(envelope.notification_id, str(envelope.originator_id), envelope.topic, envelope.data)
        if envelope.topic.endswith("RoomPlayer.Joined"):
            self.room_players[str(envelope.originator_id)] = stream.battle_id
        for outgoing in out:
            text = encode(outgoing)
            for subscriber in list(channel.subscribers):
                if outgoing.for_user(subscriber.user_id, subscriber.is_admin):
                    subscriber.offer(outgoing.message.position, text)


def encode(outgoing: Outgoing) -> str:
    return outgoing.message.model_dump_json()
