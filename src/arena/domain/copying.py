"""Deep copies of aggregates that skip what cannot change.

Every command copies its cached aggregate (the cache must not see a command's half-done
changes), so the copy is on the hot path. copy.deepcopy reconstructs each UUID and datetime
through __reduce_ex__ although they are immutable: most of a Battle's copy went there.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

IMMUTABLE = frozenset({str, int, float, bool, bytes, type(None), UUID, datetime, date, timedelta})


class CopiesCheaply:
    """Mix into an aggregate: immutable attributes are shared, the rest deep-copied.

    `_flat` names attributes that are containers of immutable values only (a battle's 50,000
    player ids): a shallow copy, in C, is a deep one for them, and deepcopy would visit each.
    `_flat_rows` names dicts of such flat dicts (a player's submissions, each a dict of plain
    values): copied two levels deep, which is deep enough."""

    _flat: frozenset[str] = frozenset()
    _flat_rows: frozenset[str] = frozenset()

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        flat = self._flat
        for name, value in self.__dict__.items():
            if type(value) in IMMUTABLE or isinstance(value, Enum):
                clone.__dict__[name] = value
            elif name in flat:
                clone.__dict__[name] = value.copy()
            elif name in self._flat_rows:
                clone.__dict__[name] = {key: row.copy() for key, row in value.items()}
            else:
                clone.__dict__[name] = deepcopy(value, memo)
        return clone
