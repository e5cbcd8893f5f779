"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import json
from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Send

from arena.api.dependency_guard import DATABASE, DependencyDown, is_connection_error
from arena.application.locks import Busy
from arena.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from arena.problems.model import ProblemFormatError

PROBLEM_JSON = "application/problem+json"
TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
          405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large", 414: "URI Too Long",
          415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
          431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable"}

DEPENDENCY_FAILED = "arena.dependency_failed"  # read by api/deadline.py
log = structlog.get_logger("arena.api")


def problem(status: int, detail: str, instance: str = "", **extra: Any) -> dict[str, Any]:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail, "instance": instance}
    body.update(extra)
    return body


def problem_response(status: int, detail: str, instance: str = "", **extra: Any) -> Response:
    return Response(problem(status, detail, instance, **extra), status_code=status,
                    media_type=PROBLEM_JSON)


async def send_problem(send: Send, status: int, detail: str, instance: str = "",
                       headers: dict[str, str] | None = None, **extra: Any) -> None:
    """Answers from raw ASGI middleware, which runs where Litestar's Response is not at hand."""
    body = json.dumps(problem(status, detail, instance, **extra)).encode()
    more = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", b"%d" % len(body)),
                            *more]})
    await send({"type": "http.response.body", "body": body})


def _status_of(exc: Exception) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, ProblemFormatError):
        return 422, {"field": exc.field}
    if isinstance(exc, InvalidInput):
        return 422, {"field": exc.field}
    if isinstance(exc, NotFound):
        return 404, {}
    if isinstance(exc, NotAllowed):
        return 403, {"error": type(exc).__name__}
    if isinstance(exc, Busy):  # its headers carry Retry-After
        return 503, {}
    if isinstance(exc, DependencyDown):  # likewise
        return 503, {"dependency": exc.dependency}
    if isinstance(exc, DomainError):
        return 409, {"error": type(exc).__name__}
    if isinstance(exc, ValidationException):  # Litestar says 400; the body is there but invalid
        errors = exc.extra if isinstance(exc.extra, list) else []
        first = next((error for error in errors if isinstance(error, dict) and error.get("key")), None)
        return 422, {"errors": errors, **({"field": first["key"]} if first else {})}
    if isinstance(exc, HTTPException):
        return exc.status_code, {}
    return HTTP_500_INTERNAL_SERVER_ERROR, {}


def handle_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, DependencyDown) and is_connection_error(exc):  # an outage, not a bug
        request.scope[DEPENDENCY_FAILED] = True  # the breaker counts it (api/deadline.py)
        log.warning("database unavailable", path=request.url.path, error=type(exc).__name__)
        exc = DependencyDown(DATABASE, 1, "did not answer")
    status, extra = _status_of(exc)
    if status >= 500 and not isinstance(exc, (Busy, DependencyDown)):  # these say: try again
        log.exception("unhandled error", path=request.url.path)
        detail = "the server failed to handle this request; it has been logged"
    elif "field" in extra and isinstance(exc, ValidationException):  # say what is wrong, not only where
        first = next(error for error in extra["errors"] if isinstance(error, dict) and error.get("key"))
        detail = f"{first['key']}: {str(first.get('message', 'invalid')).removeprefix('Value error, ')}"
    else:
        detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    headers = getattr(exc, "headers", None) or {}
    response = problem_response(status, detail, request.url.path, **extra)
    response.headers.update(headers)
    return response


EXCEPTION_HANDLERS = {Exception: handle_exception}
__all__ = ["EXCEPTION_HANDLERS", "MediaType", "PROBLEM_JSON", "problem", "problem_response", "send_problem"]
