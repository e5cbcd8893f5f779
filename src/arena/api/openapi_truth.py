"""What every route may answer because of the layers around it, added to the OpenAPI document in
one place (create_app calls `complete` once on the document Litestar generated).

A route's own errors (403 not the owner, 409 a state that refuses the action, ...) are declared on
the route (error_responses.errors). The layers every request goes through add theirs:
- the edge (request_context): 400 for a control character in the URL, 414 for a URL too long,
  431 for oversized headers;
- the limits (api/limits): 429 with Retry-After, on every route, public ones included;
- authentication: 401 on every route but the public ones, which are marked public (`security: []`);
- request bodies (request_body, Litestar): 413 too large, 415 not JSON, 422 invalid;
- query parameters, and path parameters other than uuids: 422 when one does not validate;
- path ids: 404 when nothing has that id (a malformed id matches no route: 404 too);
- mutations (POST/PUT/PATCH/DELETE): 403 for auditors (read only, auth.auditors_read_only) and
  the Idempotency-Key header, 409 while the key's first request is in flight, 422 when the key
  was used for another request;
- a route that reads its body raw (a problem upload) has it described here (RAW_BODIES);
- dependencies: 503 with Retry-After when the database (or a command's turn) is not there.
Every error is application/problem+json (problem_details.py): Litestar's own default 400 schema,
which describes a body we never send, is replaced."""

from __future__ import annotations

import re

from litestar.openapi.spec import (OpenAPI, OpenAPIFormat, OpenAPIHeader, OpenAPIMediaType, OpenAPIResponse, OpenAPIType,
                                   Operation, Parameter, Reference, RequestBody, Schema)

from arena.api.auth import PUBLIC_PATHS
from arena.api.problem_details import PROBLEM_JSON, TITLES

METHODS = ("get", "put", "post", "patch", "delete")
MUTATIONS = ("put", "post", "patch", "delete")
NEEDS_NO_DEPENDENCY = {"/health", "/api/v2/languages"}
PROBLEM_DETAILS = Schema(
    type=OpenAPIType.OBJECT, required=["type", "title", "status", "detail", "instance"],
    description="RFC 9457 problem details; some errors add members: field, errors, error, checks",
    properties={"type": Schema(type=OpenAPIType.STRING), "title": Schema(type=OpenAPIType.STRING),
                "status": Schema(type=OpenAPIType.INTEGER), "detail": Schema(type=OpenAPIType.STRING),
                "instance": Schema(type=OpenAPIType.STRING)})
RETRY_AFTER = {"Retry-After": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING),
                                            description="seconds to wait before trying again")}
IDEMPOTENCY_KEY = Parameter(
    name="Idempotency-Key", param_in="header", required=False, schema=Schema(type=OpenAPIType.STRING, max_length=200),
    description="makes a retry safe: the same key with the same request answers what the first one "
                "did, and changes nothing again (docs/api.md); scoped to the caller")

RAW_BODIES = {("/api/v2/problems", "post"): RequestBody(required=True, description=(
    "a Markdown problem (YAML front matter + statement), or a zip of a Kattis/ICPC package or of a "
    "Markdown problem with its tests folder (docs/problems.md); at most ARENA_MAX_PROBLEM_BYTES"), content={
    "text/markdown": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
    "application/zip": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))})}


def complete(openapi: OpenAPI) -> OpenAPI:
    openapi.components.schemas["ProblemDetails"] = PROBLEM_DETAILS
    for path, item in (openapi.paths or {}).items():
        for method in METHODS:
            operation = getattr(item, method, None)
            if operation is not None:
                _complete(path, method, operation)
    return openapi


def public(path: str) -> bool:
    return any(re.match(pattern, path) for pattern in PUBLIC_PATHS)


def _complete(path: str, method: str, operation: Operation) -> None:
    responses = operation.responses if operation.responses is not None else {}
    codes = {int(code) for code in responses if not code.startswith("2")} | {400, 414, 429, 431}
    if public(path):
        operation.security = []  # no token needed
    else:
        codes.add(401)
    if operation.request_body is not None:
        codes |= {413, 415, 422}
    if any(_validated(parameter) for parameter in operation.parameters or ()):
        codes.add(422)
    if "{" in path:
        codes.add(404)
    if path not in NEEDS_NO_DEPENDENCY:
        codes.add(503)
    if (path, method) in RAW_BODIES:
        operation.request_body = RAW_BODIES[path, method]
        codes |= {413, 415, 422}
    if method in MUTATIONS and path.startswith("/api/"):
        operation.parameters = [*(operation.parameters or ()), IDEMPOTENCY_KEY]
        codes |= {403, 409, 422}
    for code in sorted(codes):
        responses[str(code)] = OpenAPIResponse(
            description=TITLES[code], headers=RETRY_AFTER if code in (429, 503) else None,
            content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/ProblemDetails"))})
    operation.responses = dict(sorted(responses.items()))


def _validated(parameter: Parameter | Reference) -> bool:
    """A query parameter, or a path parameter that is not a uuid (a bad uuid matches no route: 404),
    is validated by Litestar: 422 when it does not pass."""
    if not isinstance(parameter, Parameter):
        return False
    uuid = isinstance(parameter.schema, Schema) and parameter.schema.format == OpenAPIFormat.UUID
    return parameter.param_in == "query" or (parameter.param_in == "path" and not uuid)
