"""Read-model database: the same PostgreSQL as the event store, or a SQLite file beside it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from arena.settings import ArenaSettings


def read_model_url(settings: ArenaSettings) -> str:
    if settings.uses_postgres:
        return "postgresql+psycopg://" + settings.database_url.split("://", 1)[1]
    return f"sqlite:///{Path(settings.data_dir).resolve() / 'read-models.sqlite3'}"


def make_engine(settings: ArenaSettings) -> Engine:
    url = read_model_url(settings)
    if url.startswith("sqlite"):
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow,
                         pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run while a writer commits; the API and the bus share the file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
