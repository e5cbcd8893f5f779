"""Configuration errors: what only the operator can fix, said in one line that names the variable
or the step to take, never as a traceback (and never retried: no retry creates a database)."""

from __future__ import annotations

import re

from pydantic import ValidationError


class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the message says which and what to do."""


class MissingDatabase(ConfigurationError):
    pass


_NO_SUCH_DATABASE = re.compile(r'database "(?P<name>[^"]+)" does not exist')


def missing_database(exc: BaseException, url: str | None) -> MissingDatabase | None:
    """PostgreSQL's 'database "x" does not exist', at any depth of wrapping, as the fix to run."""
    found = _NO_SUCH_DATABASE.search(str(exc))
    if not found:
        return None
    from sqlalchemy import make_url

    where = make_url(url) if url else None
    flags = "".join(f" {flag} {value}" for flag, value in (
        ("-h", where and where.host), ("-p", where and where.port), ("-U", where and where.username)) if value)
    return MissingDatabase(f"database {found['name']!r} does not exist (ARENA_DATABASE_URL): create it "
                           f"with `createdb{flags} {found['name']}`, then run `arena db upgrade`")


def settings_messages(exc: ValidationError) -> list[str]:
    """One line per bad setting, named as the operator set it: `ARENA_JUDGE_SLOTS: ...`."""
    lines = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "settings"
        lines.append(f"ARENA_{field.upper()}: {error['msg']} (got {error.get('input')!r})")
    return lines


def check_database_exists(settings) -> None:
    """Raises MissingDatabase when the server answers that ARENA_DATABASE_URL's database does not
    exist; says nothing of a server that does not answer (processes wait for it, and commands
    say so when they give up)."""
    import psycopg

    from arena.db.waiting import conninfo

    try:
        psycopg.connect(conninfo(settings), connect_timeout=2).close()
    except psycopg.OperationalError as exc:
        if missing := missing_database(exc, settings.database_url):
            raise missing from None
