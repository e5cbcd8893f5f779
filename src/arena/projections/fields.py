"""Decoding only the fields a fold reads, for rebuilds.

A rebuild decodes every event of the log, and most of each event is never read (a submission
carries its whole source code). msgspec skips the keys we do not ask for without building
them, and converts the tagged values (datetimes, UUIDs, decimals) in C, given their types; the
types come from the domain event's own annotations, so nothing here repeats the domain.

Anything unexpected (a missing key, a value of another type than annotated: an older version
of the event) falls back to decoding the whole state as live delivery does, so a rebuild
never sees other values than the live projection did.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from types import NoneType, UnionType
from typing import Any
from uuid import UUID

import msgspec

from arena.projections.log_reader import decode_state, untag


# eventsourcing's transcoder writes these as {"_type_": <tag>, "_data_": <text>}
class _Datetime(msgspec.Struct, tag_field="_type_", tag="datetime_iso"):
    value: datetime = msgspec.field(name="_data_")


class _Uuid(msgspec.Struct, tag_field="_type_", tag="uuid_hex"):
    value: UUID = msgspec.field(name="_data_")


class _Decimal(msgspec.Struct, tag_field="_type_", tag="decimal_str"):
    value: Decimal = msgspec.field(name="_data_")


_TAGGED = {datetime: _Datetime, UUID: _Uuid, Decimal: _Decimal}
_EXACT = (str, int, bool)  # msgspec decodes these as orjson would (not float: it would turn 1 into 1.0)


class FieldDecoder:
    """state bytes -> (timestamp, {key: value} for `keys` only), values as live delivery sees them."""

    def __init__(self, event_class: type, keys: Sequence[str]) -> None:
        hints = typing.get_type_hints(event_class)
        assert "timestamp" not in keys, "handlers read it as event.timestamp"
        self.keys = tuple(keys)
        kinds = {key: _decoded_type(hints.get(key, Any)) for key in self.keys}
        shape = msgspec.defstruct(f"{event_class.__qualname__}Fields", [("timestamp", _Datetime), *kinds.items()])
        self._decode = msgspec.json.Decoder(shape).decode
        self._unwrap = _unwrapper(kinds)
        # values(): the same fields without the timestamp (one datetime fewer to parse), as a tuple
        bare = msgspec.defstruct(f"{event_class.__qualname__}Values", list(kinds.items()))
        self._decode_bare = msgspec.json.Decoder(bare).decode
        self._values = _unwrapper(kinds, timestamp=False)

    def __call__(self, state: bytes) -> tuple[datetime, dict[str, Any]]:
        try:
            return self._unwrap(self._decode(state))
        except msgspec.ValidationError:  # not the shape the annotations describe: decode it all
            data = decode_state(state)
            return data.pop("timestamp"), data

    def values(self, state: bytes) -> tuple[Any, ...]:
        """The values of `keys`, in their order: for a caller that builds tuples of 50,000 events
        (a settlement's facts) and needs no timestamp and no dict."""
        try:
            return self._values(self._decode_bare(state))
        except msgspec.ValidationError:
            data = decode_state(state)
            return tuple(data.get(key) for key in self.keys)


def _unwrapper(kinds: dict[str, Any], timestamp: bool = True) -> Callable[[Any], Any]:
    """decoded fields -> (timestamp, data), or the values alone as a tuple, as one generated
    expression: a loop over the keys, per event, cost more than msgspec's whole decoding."""
    def value(key: str, kind: Any) -> str:
        if kind in _EXACT:
            return f"f.{key}"
        if kind is Any:  # may hold tagged values inside
            return f"untag(f.{key})"
        return f"(None if f.{key} is None else f.{key}.value)"

    assert all(key.isidentifier() for key in kinds), kinds  # they become attribute names
    if not timestamp:
        return eval(f"lambda f: ({''.join(value(key, kind) + ', ' for key, kind in kinds.items())})", {"untag": untag})
    items = ", ".join(f"{key!r}: {value(key, kind)}" for key, kind in kinds.items())
    return eval(f"lambda f: (f.timestamp.value, {{{items}}})", {"untag": untag})


def _decoded_type(annotation: Any) -> Any:
    """How msgspec should decode a value annotated so: tagged scalars in their tagged form
    (optional ones too), plain scalars as themselves, anything else as Any (untagged after)."""
    if annotation in _TAGGED:
        return _TAGGED[annotation]
    if annotation in _EXACT:
        return annotation
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        members = typing.get_args(annotation)
        if len(members) == 2 and NoneType in members:
            (other,) = (m for m in members if m is not NoneType)
            if other in _TAGGED:
                return _TAGGED[other] | None
    return Any
