"""Array literals and fast room player ids: the same values psycopg and uuid5 would give."""

from __future__ import annotations

from uuid import uuid4

from arena.db.pg_arrays import number_array, text_array
from arena.domain.room_player import room_player_id
from arena.projections.battle_facts import room_player_ids


def test_text_arrays_quote_and_escape_every_element() -> None:
    assert text_array(["ada", 'b"o\\b', "c,d}", None, ""]) == '{"ada","b\\"o\\\\b","c,d}",NULL,""}'


def test_number_arrays_round_trip_floats() -> None:
    assert number_array([1, -2, None, 0.1, 1e300]) == "{1,-2,NULL,0.1,1e+300}"


def test_room_player_ids_are_the_domains_uuid5() -> None:
    battle = uuid4()
    users = ["ada", "grace hopper", "ünïcode", "x" * 200]
    literal = room_player_ids(battle, users)
    assert literal == "{" + ",".join(room_player_id(battle, u).hex for u in users) + "}"
