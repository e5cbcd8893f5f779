"""WS /api/v2/battles/{id}/live: one socket per player per battle (docs/api.md, "Live").

The first message authenticates ({"type": "auth", "token", "after"}); none within
AUTH_TIMEOUT_S, or a bad token, closes with 4401; a user who is neither a joined player nor an
admin of the battle gets 4403 (4404: no such battle). Then the catch-up after `after`, then
live messages. The socket's own send loop is the only thing that waits on the client: a client
too slow for its bound is closed by the hub (4429) and never slows another socket.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from uuid import UUID

import structlog
from litestar import WebSocket, websocket
from litestar.exceptions import HTTPException, WebSocketDisconnect
from pydantic import ValidationError

from arena.api.auth import ROLES, User
from arena.api.tokens import TokenVerifier
from arena.domain.battle import Battle
from arena.domain.errors import DomainError, NotFound
from arena.handlers.presence import SocketPresence
from arena.live.hub import LiveHub, Subscriber
from arena.live.messages import Auth

log = structlog.get_logger("arena.live")

AUTH_TIMEOUT_S = 5.0
# A close frame queues behind what the client has not read yet: a slow client gets its 4429 once
# it has read that far. Waiting costs only this socket's own task; past it, the socket is dropped.
CLOSE_WAIT_S = 60.0
UNAUTHENTICATED, FORBIDDEN, NO_SUCH_BATTLE = 4401, 4403, 4404
TRY_AGAIN = 1013  # a dependency failed (the database): reconnect later with `after`


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def live_socket(hub: LiveHub, verifier: TokenVerifier, app: Any, presence: SocketPresence):
    """The route handler, closed over this instance's hub and token verifier."""

    @websocket("/api/v2/battles/{battle_id:uuid}/live", exclude_from_auth=True, name="live")
    async def live(socket: WebSocket, battle_id: UUID) -> None:
        await socket.accept()
        try:
            user, after = await _authenticate(socket, verifier)
            is_player = await asyncio.to_thread(_authorize, app, battle_id, user)
        except Refused as refused:
            await socket.close(code=refused.code, reason=refused.reason[:120])
            return
        except WebSocketDisconnect:
            return
        try:
            if is_player:  # the first socket anywhere makes the player PRESENT (the last: DISCONNECTED)
                await asyncio.to_thread(presence.opened, battle_id, user.id)
            try:
                subscriber = await hub.subscribe(battle_id, user.id, after, is_admin=not is_player)
                try:
                    await _serve(socket, subscriber)
                finally:
                    hub.unsubscribe(battle_id, subscriber)
            finally:
                if is_player:
                    await asyncio.shield(asyncio.to_thread(presence.closed, battle_id, user.id))
        except Exception:  # the database is down, say: the client retries with `after`
            log.exception("live socket failed", battle_id=str(battle_id), user_id=user.id)
            with contextlib.suppress(Exception):
                await socket.close(code=TRY_AGAIN, reason="try again later: resume with after")

    return live


async def _authenticate(socket: WebSocket, verifier: TokenVerifier) -> tuple[User, int | None]:
    try:
        text = await asyncio.wait_for(socket.receive_text(), AUTH_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise Refused(UNAUTHENTICATED, f"no auth message within {AUTH_TIMEOUT_S:g} s") from None
    try:
        auth = Auth.model_validate_json(text)
    except ValidationError:
        raise Refused(UNAUTHENTICATED, 'the first message must be {"type": "auth", "token": ..., "after": ...}') from None
    try:
        claims = await verifier.claims(auth.token)
    except HTTPException as exc:  # 401 (the reason) or 503 (the issuer's keys unreachable)
        raise Refused(UNAUTHENTICATED, str(exc.detail)) from None
    return user_of_claims(claims), auth.after


def user_of_claims(claims: dict[str, Any]) -> User:
    role, subject = claims.get("role"), claims.get("sub")
    if role not in ROLES or not isinstance(subject, str) or not subject:
        raise Refused(UNAUTHENTICATED, "the token carries no valid role or subject")
    return User(id=subject, role=role)


def _authorize(app: Any, battle_id: UUID, user: User) -> bool:
    """A joined player (True), or an admin of this battle: its owner, a co-admin, a superadmin."""
    try:
        battle: Battle = app.get_battle(battle_id)
    except NotFound:
        raise Refused(NO_SUCH_BATTLE, f"no battle with id {battle_id}") from None
    if battle.has_player(user.id):
        return True
    if user.is_admin:
        with contextlib.suppress(DomainError):
            battle.check_admin(user.id, user.is_superadmin)
            return False
    raise Refused(FORBIDDEN, "neither a player who joined this battle nor one of its admins")


async def _serve(socket: WebSocket, subscriber: Subscriber) -> None:
    """Sends until the client leaves or the hub closes this socket."""
    sending = asyncio.create_task(_send(socket, subscriber))
    listening = asyncio.create_task(_until_gone(socket))
    ended = asyncio.create_task(subscriber.ended.wait())  # even while a send is stuck
    tasks = (sending, listening, ended)
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if subscriber.closed is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(socket.close(code=subscriber.closed, reason=_why(subscriber.closed)), CLOSE_WAIT_S)


async def _send(socket: WebSocket, subscriber: Subscriber) -> None:
    while True:
        await subscriber.wake.wait()
        subscriber.wake.clear()
        if subscriber.closed is not None:
            return
        while subscriber.pending and subscriber.closed is None:
            _, text = subscriber.pending.popleft()
            await socket.send_text(text)


async def _until_gone(socket: WebSocket) -> None:
    """Reads (and ignores) what the client sends, until it closes."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await socket.receive_data(mode="text")


def _why(code: int) -> str:
    return {4429: "too slow: resume with after", 1012: "instance restarting: resume with after"}.get(code, "closed")
