"""The live side of one API instance: its hub, what feeds it, and its routes (create_app)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

from pycrdt.websocket import WebsocketServer

from arena.api.controllers.live import live_socket
from arena.api.controllers.live_reads import live_reads
from arena.api.controllers.pads import pad_socket
from arena.api.tokens import TokenVerifier
from arena.bootstrap import Arena
from arena.bus.topology import Topology
from arena.handlers.presence import HEARTBEAT_S, SocketPresence
from arena.live.feed import LOCAL, BrokerFeed, local_feed
from arena.live.hub import RESTART, LiveHub


@dataclass
class Live:
    hub: LiveHub
    presence: SocketPresence
    route_handlers: list[Any]
    feed: BrokerFeed | None = None
    on_startup: list[Any] = field(default_factory=list)
    on_shutdown: list[Any] = field(default_factory=list)


def live_side(arena: Arena, verifier: TokenVerifier, topology: Any = None) -> Live:
    """With a broker, the instance's own queue feeds the hub; else the local bus does."""
    settings = arena.settings
    app = getattr(arena, "app", None)  # kept, not used, until the server starts (create_app's rule)
    hub = LiveHub(app, arena.engine, max_pending=settings.live_max_pending)
    instance_id = f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    presence = SocketPresence(app, arena.engine, instance_id, lambda: app.clock())
    pads = WebsocketServer(auto_clean_rooms=True)  # shared pads: y-websocket rooms in this instance
    live = Live(hub, presence, [live_socket(hub, verifier, app, presence), *live_reads(hub, app, arena.engine),
                                pad_socket(pads, verifier, app)])
    beating: list[asyncio.Task] = []
    if settings.broker_url:
        live.feed = BrokerFeed(settings.broker_url, hub, topology or Topology(declare=settings.broker_declare))

    async def start() -> None:
        hub.bind(asyncio.get_running_loop())
        if live.feed is None:  # the embedded default, or no broker: the local bus feeds the hub
            arena.bus.handlers.append((LOCAL, local_feed(hub)))
        await asyncio.to_thread(presence.heartbeat)  # before any socket counts on it
        beating.append(asyncio.create_task(_beat(presence)))
        beating.append(asyncio.create_task(pads.start()))
        await pads.started.wait()
        if live.feed is not None:
            await live.feed.start()

    async def stop() -> None:
        hub.reset(RESTART)
        if pads.started.is_set():
            await pads.stop()
        for task in beating:
            task.cancel()
        if live.feed is not None:
            await live.feed.stop()

    live.on_startup.append(start)
    live.on_shutdown.append(stop)
    return live


async def _beat(presence: SocketPresence) -> None:
    """This instance is alive: the sweep leaves its sockets alone while it beats."""
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        with contextlib.suppress(Exception):  # a database blip: the next beat is in time
            await asyncio.to_thread(presence.heartbeat)
