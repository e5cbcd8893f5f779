"""How far a reader of the notification log (the relay, the local bus) has got: bus_positions."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select, update

from arena.db.tables import bus_positions


def read_position(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        query = select(bus_positions.c.position).where(bus_positions.c.name == name)
        return conn.execute(query).scalar() or 0


def save_position(engine: Engine, name: str, position: int) -> None:
    with engine.begin() as conn:
        row = bus_positions.c.name == name
        if conn.execute(update(bus_positions).where(row).values(position=position)).rowcount == 0:
            conn.execute(insert(bus_positions).values(name=name, position=position))
