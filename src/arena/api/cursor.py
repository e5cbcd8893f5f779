"""The ledger's opaque paging cursor: the last row's key (battle, revision, user), as urlsafe
base64 of compact JSON without padding.

Opaque so that clients pass it back unchanged rather than build one; checked on the way in so
that a cursor a client made up is a 400, never a query PostgreSQL refuses (a 500).
"""

from __future__ import annotations

import base64
import binascii
import json

from litestar.exceptions import HTTPException

from arena.domain.text import check_line

LedgerKey = tuple[str, int, str]
MAX_CURSOR_CHARS = 1000  # a key is at most 36 + 10 + 200 characters before encoding


def encode_cursor(key: LedgerKey) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> LedgerKey:
    """The key a cursor names; a 400 (problem details) for anything this module did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        battle, revision, user = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as exc:  # bad base64, bad JSON, wrong arity
        raise _bad_cursor() from exc
    if not (isinstance(battle, str) and len(battle) <= 36 and isinstance(user, str) and len(user) <= 200
            and type(revision) is int and 0 <= revision < 2**31):
        raise _bad_cursor()
    try:
        check_line(battle), check_line(user)
    except ValueError as exc:
        raise _bad_cursor() from exc
    return battle, revision, user


def _bad_cursor() -> HTTPException:
    return HTTPException(status_code=400, detail="cursor: not a cursor this API returned; start without one")
