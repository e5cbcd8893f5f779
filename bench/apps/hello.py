"""The baseline of bench/http_submit.py (here, not in bench/, so that `make bench` does not run it): a Litestar hello world, served by arena's own server
stack (arena.api.server.serve), that answers a POST with a small JSON body and a GET alike.

It decodes the JSON body and encodes a JSON answer, as a submission does, and nothing else:
no auth, no middleware, no database."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get, post


@post("/hello", status_code=202)
async def hello_post(data: dict[str, Any]) -> dict[str, str]:
    return {"id": "00000000-0000-0000-0000-000000000000", "status": "queued"}


@get("/hello")
async def hello_get() -> list[dict[str, str]]:
    return [{"id": "python", "name": "Python", "version": "3.11"}]


def create() -> Litestar:
    return Litestar([hello_post, hello_get], debug=False)


if __name__ == "__main__":
    import sys

    from arena.api.server import serve

    serve("hello:create", "127.0.0.1", int(sys.argv[1]), workers=int(sys.argv[2]))
