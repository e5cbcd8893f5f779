"""`arena projections checksum NAME`: a sha256 over a projection's rows, in primary-key order.

Every stored value is derived from events (timestamps included), so a rebuild from the log and
the live projection fed by the bus must give the same digest. Table names are hashed without
the shadow suffix, so a shadow and its live table compare equal.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, select

from arena.projections.folding import suffixed
from arena.projections.registry import registry


def checksum(engine: Engine, name: str, suffix: str = "") -> str:
    entry = registry()[name]
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for live, table in sorted(zip(entry.tables, suffixed(entry.tables, suffix)), key=lambda p: p[0].name):
            digest.update(f"\n#{live.name}\n".encode())
            query = select(table).order_by(*table.primary_key.columns)
            for row in conn.execution_options(yield_per=5000).execute(query):
                digest.update(json.dumps([_plain(v) for v in row], default=str).encode() + b"\n")
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):  # PostgreSQL hands back the session's time zone
        return value.astimezone(timezone.utc).isoformat()
    return value
