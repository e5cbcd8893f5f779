"""Sandbox uids are reserved host-wide: two reservations never share a uid."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena.judge.uids import UidReservation


def test_two_reservations_get_disjoint_uids_and_a_released_one_is_free_again(tmp_path: Path) -> None:
    first = UidReservation(3, first=70000, lock_dir=tmp_path)
    second = UidReservation(3, first=70000, lock_dir=tmp_path)
    assert set(first.uids).isdisjoint(second.uids)
    assert first.uids == [70000, 70001, 70002]
    first.release()
    third = UidReservation(3, first=70000, lock_dir=tmp_path)
    assert third.uids == [70000, 70001, 70002]
    second.release()
    third.release()


def test_a_window_without_enough_free_uids_is_refused(tmp_path: Path) -> None:
    held = UidReservation(2, first=70000, window=2, lock_dir=tmp_path)
    with pytest.raises(RuntimeError, match="free sandbox uids"):
        UidReservation(1, first=70000, window=2, lock_dir=tmp_path)
    held.release()
