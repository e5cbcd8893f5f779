"""The opaque cursor of a battle's submissions: the last row's key (received_at, id), as the
ledger's cursor (cursor.py) is made: urlsafe base64 of compact JSON, checked on the way in so
that a made-up cursor is a 400, never a query the database refuses."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from uuid import UUID

from litestar.exceptions import HTTPException

SubmissionKey = tuple[datetime, str]


def encode_submission_cursor(key: SubmissionKey) -> str:
    raw = json.dumps([key[0].isoformat(), key[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_submission_cursor(cursor: str) -> SubmissionKey:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        received_at, submission_id = json.loads(raw)
        at = datetime.fromisoformat(received_at)
        UUID(submission_id)  # submission ids are uuid4 text: anything else is not ours
    except (binascii.Error, ValueError, TypeError, AttributeError) as exc:
        raise _bad_cursor() from exc
    if at.tzinfo is None or not isinstance(submission_id, str) or len(submission_id) != 36:
        raise _bad_cursor()
    return at, submission_id


def _bad_cursor() -> HTTPException:
    return HTTPException(status_code=400, detail="cursor: not a cursor this API returned; start without one")
