"""Idempotency-Key: the same key with the same request gets the same answer, and the command
runs once. The key is claimed (a row with no answer yet) for a lease before the handler runs, so
two concurrent requests with one key cannot both run it; a 5xx answer ends the lease at once,
and a request that never answers loses it when it passes (idempotency_lease.py).

The key also travels to the command (arena.application.command_keys): its answer is appended
with its events, so a request that takes over a key whose command did commit gets that
command's answer, never a second run (docs/adr/0018).
"""

from __future__ import annotations

import hashlib

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from arena.api.idempotency_store import IdempotencyStore
from arena.api.problem_details import send_problem
from arena.application.command_keys import CommandKey, running_key

log = structlog.get_logger()

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY_LENGTH = 200
# The request that holds the key answers within its deadline (ARENA_REQUEST_DEADLINE_S, about a
# second), and its answer is stored before it leaves: a retry one second later is a replay.
IN_PROGRESS_RETRY_AFTER_S = 1


def idempotency_middleware_factory(store: IdempotencyStore, max_body_bytes: int):
    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            key = ""
            if scope["type"] == "http" and scope["method"] in MUTATING:  # reads skip the scan
                raw = next((value for name, value in scope["headers"] if name == b"idempotency-key"), b"")
                key = raw.decode("latin-1").strip()
            if not key:
                await app(scope, receive, send)
                return
            if len(key) > MAX_KEY_LENGTH:
                await _send_problem(send, 422, f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters", scope)
                return
            body = await _read_body(receive, max_body_bytes)
            if body is None:
                await _send_problem(send, 413, f"the request body is larger than {max_body_bytes} bytes", scope)
                return
            user = scope.get("user")
            principal = getattr(user, "id", "anonymous")
            digest = hashlib.sha256(b"%s %s\n" % (scope["method"].encode(), scope["path"].encode()) + body).hexdigest()
            outcome, stored = await store.off_loop(store.claim, principal, key, digest)
            if outcome == "mismatch":
                await _send_problem(send, 422, "this Idempotency-Key was used with a different request", scope)
            elif outcome == "busy":
                await send_problem(send, 409, "a request with this Idempotency-Key is still in progress", scope["path"],
                                   headers={"Retry-After": str(IN_PROGRESS_RETRY_AFTER_S)},
                                   retry_after_s=IN_PROGRESS_RETRY_AFTER_S)
            elif outcome == "replay":
                status, content_type, stored_body = stored
                await _send(send, status, content_type, stored_body, replayed=True)
            else:
                command_key = CommandKey(principal, key, digest, may_be_kept=outcome == "taken over")
                await _run_and_record(app, scope, body, send, store, command_key)

        return middleware

    return factory


async def _run_and_record(app, scope, body, send, store, command_key: CommandKey) -> None:
    """Runs the handler with the buffered body; the answer is stored BEFORE the client gets it,
    so a client that retries at once is replayed, never told the key is still in progress.
    If it cannot be stored, the client still gets it: the command's own kept answer (appended
    with its events) answers a retry once the lease has passed."""
    principal, key = command_key.principal, command_key.key
    start: Message | None = None
    chunks: list[bytes] = []
    delivered = False

    async def replay_body() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def hold_until_stored(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        whole = b"".join(chunks)
        status = start["status"] if start else 500
        try:
            if status >= 500:
                await store.off_loop(store.release, principal, key)
            else:
                content_type = dict(start.get("headers", [])).get(b"content-type", b"").decode()
                await store.off_loop(store.answer, principal, key, status, content_type, whole)
        except Exception:  # the database went away: the lease will free the key
            log.warning("idempotency key not stored", key_status=status, exc_info=True)
        await send(start)
        await send({"type": "http.response.body", "body": whole, "more_body": False})

    token = running_key.set(command_key)
    try:
        await app(scope, replay_body, hold_until_stored)
    except BaseException:
        await store.off_loop(store.release, principal, key)
        raise
    finally:
        running_key.reset(token)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, status: int, content_type: str, body: bytes, replayed: bool = False) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_problem(send: Send, status: int, detail: str, scope: Scope) -> None:
    await send_problem(send, status, detail, scope["path"])
