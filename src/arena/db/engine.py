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
                         pool_pre_ping=True, connect_args=network_bounds(settings))


def network_bounds(settings: ArenaSettings) -> dict[str, int]:
    """libpq options that bound a wait on an unreachable PostgreSQL (docs/adr/0019): a connect
    gives up after db_connect_timeout_s, and a connection whose packets go unanswered (a
    blackholed network, not a slow query: an idle wait for rows sends nothing) is dropped after
    TCP_USER_TIMEOUT_MS or the keepalives, instead of the kernel's ~15 minutes."""
    return {"connect_timeout": settings.db_connect_timeout_s, "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
            "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}


TCP_USER_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run while a writer commits; the API and the bus share the file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
