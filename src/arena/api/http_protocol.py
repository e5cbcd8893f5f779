"""uvicorn's httptools protocol with a bound on the request head.

httptools (llhttp) has no limit of its own on a header block: it hands every header to the
protocol however long, so a client could grow a worker's memory by sending headers forever.
h11 had one (h11_max_incomplete_event_size, which api/server.py raised to 1 MiB so that the edge
middleware sees oversized headers and answers 431 with problem details). This keeps the same
shape: heads up to MAX_HEADER_BLOCK_BYTES reach the app and the edge checks (api/edge.py);
beyond that the server itself answers 431 and closes, as it must while the head is unfinished.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from arena.api.edge import MAX_HEADER_BLOCK_BYTES
from arena.api.problem_details import PROBLEM_JSON, problem


def _too_large_response() -> bytes:
    body = json.dumps(problem(431, f"the request head is longer than {MAX_HEADER_BLOCK_BYTES} bytes")).encode()
    return (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: %s\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s") % (PROBLEM_JSON.encode(), len(body), body)


TOO_LARGE = _too_large_response()


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Bytes received since the last message ended, while no head has completed: counted per
        # read (at most one read of a pipelined body is counted with the next head, a harmless
        # overcount), so the check costs one addition per read, never a scan.
        self._head_bytes: int | None = 0

    def data_received(self, data: bytes) -> None:
        if self._head_bytes is not None:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEADER_BLOCK_BYTES:
                self.transport.write(TOO_LARGE)
                self.transport.close()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._head_bytes = None  # the body is the route's to limit (api/request_body.py)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._head_bytes = 0
        super().on_message_complete()
