"""WS /api/v2/battles/{id}/pads/{pad}?token=<JWT>: a shared pad (Yjs), spoken in the
y-websocket protocol by pycrdt-websocket's server (docs/adr/0024).

Same rule as the live socket: 4401 without a valid token, 4403 for a user who is neither a
joined player nor an admin of the battle, 4404 for no such battle. The token travels in the
query because y-websocket clients send nothing of their own before the protocol starts (they
take `params`). A pad is per battle and per user: its room is `<battle>/<user>/<pad>`, so a
player's tabs and devices share it and nobody else reads it (arena has no teams yet). Rooms live
in the memory of the instance that serves them: every socket of one pad must reach the same
instance (sticky by path at the load balancer); a pad is gone when its last client leaves.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.exceptions import HTTPException
from pycrdt.websocket import WebsocketServer
from pycrdt.websocket.websocket import HttpxWebsocket

from arena.api.controllers.live import UNAUTHENTICATED, Refused, _authorize, user_of_claims
from arena.api.tokens import TokenVerifier

PAD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
BAD_PAD = 4400


def pad_socket(server: WebsocketServer, verifier: TokenVerifier, app: Any):
    # pycrdt-websocket 0.16.5 starts a new room once per socket that finds it stopped: two first
    # sockets at once both start it, and the second is silently never served ("YRoom already
    # running"). Rooms are created and started one at a time here, so serve() finds it running.
    starting = asyncio.Lock()
    @websocket("/api/v2/battles/{battle_id:uuid}/pads/{pad:str}", exclude_from_auth=True, name="pad")
    async def pad(socket: WebSocket, battle_id: UUID, pad: str, token: str | None = None) -> None:
        await socket.accept()
        try:
            if not PAD_NAME.match(pad):
                raise Refused(BAD_PAD, "a pad's name is 1 to 64 letters, digits, '-' or '_'")
            if not token:
                raise Refused(UNAUTHENTICATED, "a token is required: ?token=<JWT>")
            try:
                user = user_of_claims(await verifier.claims(token))
            except HTTPException as exc:
                raise Refused(UNAUTHENTICATED, str(exc.detail)) from None
            await asyncio.to_thread(_authorize, app, battle_id, user)
        except Refused as refused:
            await socket.close(code=refused.code, reason=refused.reason[:120])
            return
        room = f"{battle_id}/{user.id}/{pad}"
        async with starting:
            await server.get_room(room)
        # HttpxWebsocket only needs send_bytes/receive_bytes, which Litestar's WebSocket has
        await server.serve(HttpxWebsocket(socket, room))

    return pad
