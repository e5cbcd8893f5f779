"""A rebuild's pages are written on a thread, in order; binary COPY writes what an INSERT would."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from arena.projections.write_behind import WriteBehind
from arena.projections.writer import COPY_FROM, TableWriter

metadata = sa.MetaData()
things = sa.Table(
    f"test_things_{uuid.uuid4().hex[:8]}", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("note", sa.String(200)),
)
AT = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture()
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def page(*changes) -> dict[str, TableWriter]:
    writer = TableWriter(things)
    for change in changes:
        change(writer)
    return {"things": writer}


def rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(things).order_by(things.c.id))]


def test_pages_are_written_in_order(engine: sa.Engine) -> None:
    with WriteBehind(engine, depth=1) as written:
        written.submit(page(lambda w: w.insert({"id": "a", "at": AT, "count": 1, "note": None})))
        written.submit(page(lambda w: w.add(("a",), count=2), lambda w: w.set(("a",), note="later")))
        written.submit(page(lambda w: w.delete(("a",)), lambda w: w.insert({"id": "b", "at": None, "count": 0,
                                                                            "note": "x"})))
    assert rows(engine) == [("b", None, 0, "x")]


def test_a_failed_page_fails_the_caller(engine: sa.Engine) -> None:
    missing = page(lambda w: w.insert({"id": "a", "at": AT, "count": None, "note": None}))  # NOT NULL
    with pytest.raises(sa.exc.IntegrityError):
        with WriteBehind(engine) as written:
            written.submit(missing)
            written.submit(page(lambda w: w.insert({"id": "b", "at": AT, "count": 1, "note": None})))
    assert rows(engine) == []


def test_when_the_caller_fails_the_queued_pages_are_dropped(engine: sa.Engine) -> None:
    with pytest.raises(RuntimeError):
        with WriteBehind(engine, depth=5):
            raise RuntimeError("folding failed")
    # nothing hangs, and the thread is gone with the block


def test_binary_copy_writes_what_an_insert_writes(engine: sa.Engine) -> None:
    many = [{"id": f"{n:05d}", "at": AT, "count": n, "note": "tab\there, new\nline, back\\slash"}
            for n in range(COPY_FROM)]
    many[0] = {"id": "00000", "count": 0}  # left-out columns are NULL
    writer = TableWriter(things)
    for row in many:
        writer.insert(dict(row))
    with engine.begin() as conn:
        writer.flush(conn)

    stored = rows(engine)
    assert stored[0] == ("00000", None, 0, None)
    assert stored[1:] == [(row["id"], row["at"], row["count"], row["note"]) for row in many[1:]]
