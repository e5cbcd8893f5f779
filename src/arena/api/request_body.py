"""The request body's media type and size, checked before anything reads it.

The first middleware of every /api/v2 route (routing has run, so the route's own limit is
known; auth has run, so anonymous bodies are never read). It used to be that the
Idempotency-Key middleware read a whole body into memory before Litestar's limit applied; here
the limit is counted on the stream itself, so whoever reads next (the idempotency middleware,
Litestar, a handler's own stream) gets a 413 as soon as the limit is passed, having held at most
one chunk past it. A route that takes a JSON `data` body refuses any other media type (415)
instead of decoding text/plain as JSON, and JSON nested past the decoder's recursion limit is a
400 (ArenaRequest), not a RecursionError and a 500.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    status_code = 413


class ArenaRequest(Request):
    """msgspec raises RecursionError on deep nesting ([[[[...]]]]), which Litestar does not
    treat as a decoding error; here it is one."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise ClientException(detail="the JSON body is nested too deeply") from None


def request_body_middleware_factory(streamed_limit: int):
    """streamed_limit: for routes that set no limit of their own because they read their stream
    themselves (problem uploads, ARENA_MAX_PROBLEM_BYTES)."""

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            handler = scope["route_handler"]
            limit = handler.resolve_request_max_body_size() or streamed_limit
            headers = dict(scope["headers"])
            declared = headers.get(b"content-length", b"").strip()
            has_body = (declared not in (b"", b"0")) or b"transfer-encoding" in headers
            if has_body and "data" in handler.parsed_fn_signature.parameters:
                _check_json(headers.get(b"content-type", b"").decode("latin-1"))
            if declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge(detail=f"the request body is larger than {limit} bytes")
            await app(scope, _counted(receive, limit), send)

        return middleware

    return factory


def _check_json(content_type: str) -> None:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not (media_type.startswith("application/")
                                                  and media_type.endswith("+json")):
        raise HTTPException(status_code=415,
                            detail=f"this route takes application/json, not {media_type or 'no Content-Type'}")


def _counted(receive: Receive, limit: int) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyTooLarge(detail=f"the request body is larger than {limit} bytes")
        return message

    return counted
