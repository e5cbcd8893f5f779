"""The battle submissions' cursor: what it encodes comes back, anything else is a 400."""

from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest
from litestar.exceptions import HTTPException

from arena.api.submission_cursor import decode_submission_cursor, encode_submission_cursor

KEY = (datetime(2026, 12, 1, 18, 30, 0, 123456, tzinfo=timezone.utc), "0b6d2f8e-6c4b-4a47-9d3c-8a1f0c2e7b11")


def test_a_cursor_gives_back_the_key_it_was_made_from() -> None:
    assert decode_submission_cursor(encode_submission_cursor(KEY)) == KEY


def _made(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("cursor", ["", "!!", _made("[]"), _made('["2026-12-01T18:30:00", "x"]'),
                                    _made('["2026-12-01T18:30:00+00:00", "not-a-uuid"]'),
                                    _made('["2026-12-01T18:30:00", "0b6d2f8e-6c4b-4a47-9d3c-8a1f0c2e7b11"]'),
                                    _made('[1, 2]'), _made('{"a": 1}'), _made('"text"')])
def test_a_cursor_this_api_did_not_make_is_a_400(cursor: str) -> None:
    with pytest.raises(HTTPException) as raised:
        decode_submission_cursor(cursor)
    assert raised.value.status_code == 400
