"""Request ids: taken from X-Request-ID or made here, bound to every log line, echoed back; the
edge checks (edge.py) in the same layer, so that refused requests get an id and a log line too.
Inside the auth middleware, the user and the battle of the request are bound too."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from arena.api.edge import refusal
from arena.api.problem_details import send_problem

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = structlog.get_logger("arena.api")


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = next((value for name, value in scope["headers"] if name == b"x-request-id"), b"")
        incoming = incoming.decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                refused = refusal(scope)
                if refused is not None:
                    await send_problem(send_with_id, *refused, scope["path"])
                    return
                await app(scope, receive, send_with_id)
            finally:
                log.info("request", method=scope["method"], path=scope["path"], status=status,
                         ms=round((time.perf_counter() - started) * 1000, 1))

    return middleware


def identity_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        battle_id = scope.get("path_params", {}).get("battle_id")
        context = {"user_id": getattr(user, "id", None)}
        if battle_id is not None:
            context["battle_id"] = str(battle_id)
        with structlog.contextvars.bound_contextvars(**context):
            await app(scope, receive, send)

    return middleware
