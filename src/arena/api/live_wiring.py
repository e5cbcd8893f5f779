"""The live side of one API instance: its hub, what feeds it, and its routes (create_app)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from arena.api.controllers.live import live_socket
from arena.api.tokens import TokenVerifier
from arena.bootstrap import Arena
from arena.live.feed import LOCAL, BrokerFeed, local_feed
from arena.live.hub import RESTART, LiveHub


@dataclass
class Live:
    hub: LiveHub
    route_handlers: list[Any]
    feed: BrokerFeed | None = None
    on_startup: list[Any] = field(default_factory=list)
    on_shutdown: list[Any] = field(default_factory=list)


def live_side(arena: Arena, verifier: TokenVerifier, topology: Any = None) -> Live:
    """With a broker, the instance's own queue feeds the hub; else the local bus does."""
    settings = arena.settings
    hub = LiveHub(arena.app, arena.engine, max_pending=settings.live_max_pending)
    live = Live(hub, [live_socket(hub, verifier, arena.app)])
    if settings.broker_url:
        live.feed = BrokerFeed(settings.broker_url, hub, topology)
    else:
        arena.bus.handlers.append((LOCAL, local_feed(hub)))

    async def start() -> None:
        hub.bind(asyncio.get_running_loop())
        if live.feed is not None:
            await live.feed.start()

    async def stop() -> None:
        hub.reset(RESTART)
        if live.feed is not None:
            await live.feed.stop()

    live.on_startup.append(start)
    live.on_shutdown.append(stop)
    return live
