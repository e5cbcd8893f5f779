"""The live side's HTTP routes: a battle's presence, and the spectators' Server-Sent Events.

GET /api/v2/battles/{id}/stream needs no token (battles have no private flag yet): it sends
what a socket without a user would get, `scoreboard`, `battle` and `presence`, each with
`id:` = its position; a `Last-Event-ID` header resumes after that position, as `after` does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from arena.api.error_responses import errors
from arena.domain.errors import InvalidInput
from arena.live.hub import LiveHub
from arena.live.log import battle_rows, log_end
from arena.live.messages import Presence
from arena.live.stream import BattleStream

KEEP_ALIVE_S = 15.0  # a comment line, so that proxies keep an idle stream open


def live_reads(hub: LiveHub, app, engine):
    @get("/api/v2/battles/{battle_id:uuid}/presence", sync_to_thread=True, tags=["live"], responses=errors(404))
    def presence(battle_id: UUID) -> Presence:
        """Who is PRESENT (a player with a live socket), as of the log position it carries."""
        app.get_battle(battle_id)  # 404 for an unknown battle
        stream = BattleStream(str(battle_id))
        stream.fold(battle_rows(app, engine, battle_id, log_end(app)))
        return stream.presence_message()

    # Not in the OpenAPI document, which cannot describe an endless event stream (a fuzzer would
    # wait on it forever): docs/api.md, "Live", documents it with the socket.
    @get("/api/v2/battles/{battle_id:uuid}/stream", exclude_from_auth=True, include_in_schema=False)
    async def stream(battle_id: UUID, last_event_id: Annotated[str | None, Parameter(
            header="Last-Event-ID", max_length=20, required=False)] = None) -> ServerSentEvent:
        """Server-Sent Events for spectators: scoreboard, battle and presence, `id:` = position."""
        after = _position(last_event_id)
        await asyncio.to_thread(app.get_battle, battle_id)  # 404 for an unknown battle
        subscriber = await hub.subscribe(battle_id, None, after)

        async def events() -> AsyncIterator[ServerSentEventMessage]:
            try:
                while subscriber.closed is None:
                    try:
                        await asyncio.wait_for(subscriber.wake.wait(), KEEP_ALIVE_S)
                    except asyncio.TimeoutError:
                        yield ServerSentEventMessage(comment="keep-alive")
                        continue
                    subscriber.wake.clear()
                    while subscriber.pending:
                        position, text = subscriber.pending.popleft()
                        yield ServerSentEventMessage(data=text, event=json.loads(text)["type"], id=position)
            finally:
                hub.unsubscribe(battle_id, subscriber)

        return ServerSentEvent(events())

    return [presence, stream]


def _position(last_event_id: str | None) -> int | None:
    if last_event_id is None or not last_event_id.strip():
        return None
    if not last_event_id.strip().isdigit():
        raise InvalidInput("Last-Event-ID", "must be a log position (a whole number)")
    return int(last_event_id.strip())
