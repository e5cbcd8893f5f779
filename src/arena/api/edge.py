"""The first check every HTTP request meets, before routing and auth: header sizes and the URL.
request_context.py runs it, in the same pure-ASGI layer that gives the request its id (one
layer, not two, on every request).

Headers: the server's parser must let header blocks well above our caps through
(MAX_HEADER_BLOCK_BYTES, api/http_protocol.py), since beyond its own bound it can only answer
and close on a client still sending; below it, this check answers 431
with problem details for any header above MAX_HEADER_BYTES or a block above MAX_HEADERS_BYTES.

URL: the path and the query are text like any other (domain/text.py): a control character
there (%00 in a slug or a status) is refused here once, for every route, rather than reaching
PostgreSQL (which refuses NUL) or a log line.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from litestar.types import Scope

MAX_HEADER_BYTES = 8 * 1024  # one header; a JWT is well under 1 kB
MAX_HEADERS_BYTES = 32 * 1024  # all of them
MAX_HEADER_BLOCK_BYTES = 1024 * 1024  # the server's own parser limit: beyond it, no 431 is possible
MAX_URL_BYTES = 8 * 1024
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


def refusal(scope: Scope) -> tuple[int, str] | None:
    """(status, detail) for a request refused at the edge, or None."""
    total = 0
    for name, value in scope["headers"]:
        total += len(name) + len(value)
        if len(value) > MAX_HEADER_BYTES:
            return 431, f"the {name.decode('latin-1')} header is longer than {MAX_HEADER_BYTES} bytes"
    if total > MAX_HEADERS_BYTES:
        return 431, f"the headers are longer than {MAX_HEADERS_BYTES} bytes together"
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    query = scope.get("query_string", b"")
    if len(raw_path) + len(query) > MAX_URL_BYTES:
        return 414, f"the URL is longer than {MAX_URL_BYTES} bytes"
    for part, decoded in (("path", unquote_to_bytes(raw_path)), ("query", unquote_to_bytes(query.replace(b"+", b" ")))):
        found = _CONTROL.search(decoded)
        if found:
            return 400, f"control character {found.group()!r} in the URL {part} is not allowed"
    return None
