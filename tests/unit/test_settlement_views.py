"""What the auditors' routes show, without I/O: a player's view of a settlement holds only their
own row, their own missing submissions and no failure reason; the ledger's cursor round-trips
and refuses anything it did not make."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest
from litestar.exceptions import HTTPException

from arena.api.cursor import decode_cursor, encode_cursor
from arena.api.settlement_views import settlement_view
from arena.domain.settlement import Settlement
from arena.domain.standings import Standings

ENDED = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)


def settled_with_failure() -> Settlement:
    battle_id = uuid4()
    settlement = Settlement(battle_id=battle_id, season="s", scoring="points", ended_at=ENDED,
                            wait_until=ENDED, awaiting=["s-ada", "s-bob"])
    standings = Standings(battle_id, "points", ("bob", "ada"), (1, 2), (1, 0), (0, 0), (250, 0))
    settlement.settle(standings, ["s-ada", "s-bob"], ENDED + timedelta(seconds=1))
    settlement.report_failure(1, "OperationalError: the database went away", ENDED + timedelta(seconds=2))
    return settlement


def test_an_auditor_sees_every_row_every_missing_submission_and_the_failure() -> None:
    view = settlement_view(settled_with_failure())

    assert [(row.user_id, row.rank, row.points) for row in view.standings] == [("bob", 1, 250), ("ada", 2, 0)]
    assert view.missing == ["s-ada", "s-bob"]
    assert view.failure == "OperationalError: the database went away"
    assert (view.shown, view.status.value, view.revision) == ("all", "failed", 1)


def test_a_player_sees_their_own_row_and_missing_submissions_and_no_failure() -> None:
    settlement = settled_with_failure()

    view = settlement_view(settlement, own="ada", own_submissions={"s-ada"})

    assert [row.user_id for row in view.standings] == ["ada"]
    assert view.missing == ["s-ada"]
    assert view.failure is None and view.shown == "own"
    assert view.result_hash == settlement.result_hash


def test_a_pending_settlement_has_no_rows_and_no_hash() -> None:
    pending = Settlement(battle_id=uuid4(), season="s", scoring="icpc", ended_at=ENDED,
                         wait_until=ENDED + timedelta(minutes=10), awaiting=["s-1"])

    view = settlement_view(pending)

    assert (view.status.value, view.revision, view.result_hash, view.standings) == ("pending", 0, None, [])


def test_a_cursor_names_the_key_it_was_made_from() -> None:
    key = (str(uuid4()), 3, "ada lovelace ✓")

    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGpzb24", encode_cursor(("b", 1, "u"))[:-3] + "AAA",
                                    "WzEsMl0", "eyJhIjoxfQ", "WyJiIiwiMSIsInUiXQ", "WyJiIiwtMSwidSJd",
                                    "WyJiIiwxLCJ1XHUwMDAwIl0"])
def test_a_cursor_the_api_did_not_make_is_a_400(cursor: str) -> None:
    with pytest.raises(HTTPException) as refused:
        decode_cursor(cursor)

    assert refused.value.status_code == 400
