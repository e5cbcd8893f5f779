"""Secrets that the embedded default generates once per data dir, and the judges' key.

A secret written in the source is a secret everyone has. Where a setting is not given and arena
runs embedded (no database or broker URL), a random secret is made once per data dir in a 0600
file and reused, so every command on that data dir agrees without setup; anywhere else a missing
secret is an error the process reports at start-up, never a guessed default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from arena.config_errors import ConfigurationError
from arena.settings import ArenaSettings

JUDGE_KEY_FILE = "judge-key"


class MissingSecret(ConfigurationError):
    """A secret this process needs was not configured: refuse rather than guess one."""


def is_embedded(settings: ArenaSettings) -> bool:
    return not settings.database_url and not settings.broker_url


def judge_key(settings: ArenaSettings) -> bytes:
    """The HMAC key judges sign verdicts with and the commands consumer checks them with.

    Only `arena judge` and `arena worker` (its commands consumer) read it; the API never does,
    so a leaked API host cannot forge a verdict (docs/adr/0012)."""
    if settings.judge_key:
        return settings.judge_key.encode()
    if is_embedded(settings):
        return data_dir_secret(Path(settings.data_dir), JUDGE_KEY_FILE).encode()
    raise MissingSecret("ARENA_JUDGE_KEY must be set for `arena judge` and the worker's commands "
                        "consumer: verdicts are recorded only when a judge signed them")


def data_dir_secret(data_dir: Path, filename: str) -> str:
    """The secret in `data_dir/filename`, made (random, 0600) if it is not there yet."""
    path = data_dir / filename
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    # Written whole under another name, then linked into place: a second process starting at the
    # same moment either wins the link or reads the winner's file, never half a file.
    draft = data_dir / f".{filename}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
    finally:
        draft.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    secret = path.read_text().strip()
    if not secret:
        raise MissingSecret(f"{path} is empty: delete it to have a new secret generated")
    return secret
