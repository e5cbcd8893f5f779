"""The hub on the real PostgreSQL: sockets that subscribe while events are being appended get
everything after their `after` exactly once and in order (the hand-over from catch-up to the
feed), and a socket that does not read is cut off while the others get every message."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid

from arena.bootstrap import Arena
from arena.bus.relay import envelope_from_notification
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.live.hub import SLOW_CONSUMER, LiveHub, Subscriber
from arena.live.log import log_end


def running_battle(arena: Arena, players: list[str]) -> uuid.UUID:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    arena.problems.upload((f"---\ntitle: {slug}\nslug: {slug}\npoints: 100\n"
                           "samples:\n  - {input: '1 2', output: '3'}\n---\nAdd.\n").encode())
    battle_id = arena.app.create_battle("admin", BattleSettings(title="t", max_players=50))
    arena.app.attach_problem(battle_id, slug, by=Admin("admin"))
    arena.app.open_lobby(battle_id, by=Admin("admin"))
    for player in players:
        arena.app.join(battle_id, player)
    arena.app.start_battle(battle_id, by=Admin("admin"))
    return battle_id


def toggle_presence(arena: Arena, battle_id: uuid.UUID, players: list[str], times: int) -> None:
    """Each round disconnects or reconnects a player: a presence message for everyone."""
    away: set[str] = set()
    for i in range(times):
        player = players[i % len(players)]
        if player in away:
            arena.app.reconnect(battle_id, player)
            away.discard(player)
        else:
            arena.app.disconnect(battle_id, player)
            away.add(player)


async def feed_from_log(arena: Arena, hub: LiveHub, start: int, stop: asyncio.Event) -> None:
    """A bus that lags: polls the log and feeds the hub in order, as the relay and a queue do."""
    position = start
    while True:
        notifications = await asyncio.to_thread(arena.app.recorder.select_notifications, position, 100,
                                                inclusive_of_start=False)
        for notification in notifications:
            hub.feed(envelope_from_notification(notification, arena.app.mapper.transcoder))
            position = notification.id
            await asyncio.sleep(0)  # one message per turn of the loop, as a queue's deliveries come
        if not notifications:
            if stop.is_set() and position >= await asyncio.to_thread(log_end, arena.app):
                return
            await asyncio.sleep(0.005)


async def drain(subscriber: Subscriber, into: list[tuple[int, str]], pause: float = 0) -> None:
    while subscriber.closed is None:
        await subscriber.wake.wait()
        subscriber.wake.clear()
        while subscriber.pending:
            into.append(subscriber.pending.popleft())
        if pause:
            await asyncio.sleep(pause)


async def test_sockets_that_subscribe_during_appends_get_everything_after_their_position_once(arena: Arena) -> None:
    players = [f"p{i}-{uuid.uuid4().hex[:6]}" for i in range(6)]
    battle_id = running_battle(arena, players)
    hub = LiveHub(arena.app, arena.engine)
    hub.bind(asyncio.get_running_loop())
    stop = asyncio.Event()
    feeding = asyncio.create_task(feed_from_log(arena, hub, log_end(arena.app), stop))
    writer = threading.Thread(target=toggle_presence, args=(arena, battle_id, players, 120))
    writer.start()
    received: list[tuple[int, list[tuple[int, str]], asyncio.Task]] = []
    for _ in range(8):  # subscribe at moments spread over the appends, each a little behind the log
        await asyncio.sleep(0.05)
        after = max(0, await asyncio.to_thread(log_end, arena.app) - 3)
        got: list[tuple[int, str]] = []
        subscriber = await hub.subscribe(battle_id, players[0], after)
        received.append((after, got, asyncio.create_task(drain(subscriber, got))))
    await asyncio.to_thread(writer.join)
    stop.set()
    await feeding
    await asyncio.sleep(0.05)
    for after, got, task in received:
        task.cancel()
        expected, _ = await asyncio.to_thread(hub._catch_up, battle_id, players[0], after)
        assert len(expected) > 3
        assert [p for p, _ in got] == [p for p, _ in expected]  # no gap, no duplicate, in order
        assert got == expected  # and the same messages the log says


async def test_a_socket_that_does_not_read_is_closed_and_the_others_get_every_message(arena: Arena) -> None:
    players = [f"p{i}-{uuid.uuid4().hex[:6]}" for i in range(3)]
    battle_id = running_battle(arena, players)
    hub = LiveHub(arena.app, arena.engine, max_pending=5)
    hub.bind(asyncio.get_running_loop())
    slow = await hub.subscribe(battle_id, players[0], None)
    fast = await hub.subscribe(battle_id, players[1], None)
    got: list[tuple[int, str]] = []
    draining = asyncio.create_task(drain(fast, got))
    start = await asyncio.to_thread(log_end, arena.app)
    await asyncio.to_thread(toggle_presence, arena, battle_id, players, 40)
    stop = asyncio.Event()
    stop.set()
    await feed_from_log(arena, hub, start, stop)
    await asyncio.sleep(0.05)
    draining.cancel()
    assert fast.closed is None and slow.closed == SLOW_CONSUMER and not slow.pending
    live = [json.loads(text) for position, text in got if position > start]
    assert len(live) == 40 and all(m["type"] == "presence" for m in live)
