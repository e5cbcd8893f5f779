"""Where the HS256 secret comes from.

A secret written in the source is a secret everyone has: a server started without
ARENA_JWT_SECRET used to accept tokens anyone could mint. Now:
- ARENA_JWT_SECRET set: that one.
- The embedded default (neither ARENA_DATABASE_URL nor ARENA_BROKER_URL): one random secret per
  data dir, in a 0600 file made once and reused, so `arena serve`, `arena token` and `arena demo`
  on the same data dir agree without any setup.
- Otherwise: no HS256 secret at all. With ARENA_JWT_JWKS_URL that is fine (the issuer signs);
  without it the server must not start (`check_token_settings`).
"""

from __future__ import annotations

from pathlib import Path

from arena.config_errors import ConfigurationError
from arena.keyfile import MissingSecret, data_dir_secret
from arena.settings import ArenaSettings

SECRET_FILE = "jwt-secret"


class MissingJwtSecret(ConfigurationError):
    """Tokens could be verified with no key of ours: refuse rather than guess one."""


def is_embedded(settings: ArenaSettings) -> bool:
    return not settings.database_url and not settings.broker_url


def check_token_settings(settings: ArenaSettings) -> None:
    if settings.jwt_secret or settings.jwt_jwks_url or is_embedded(settings):
        return
    raise MissingJwtSecret(
        "ARENA_JWT_SECRET (or ARENA_JWT_JWKS_URL) must be set when ARENA_DATABASE_URL or "
        "ARENA_BROKER_URL is: no token could be verified without it")


def hs256_secret(settings: ArenaSettings) -> str | None:
    """The secret tokens are signed and checked with, or None when only the JWKS issuer signs."""
    check_token_settings(settings)
    if settings.jwt_secret:
        return settings.jwt_secret
    if settings.jwt_jwks_url:
        return None
    return _data_dir_secret(Path(settings.data_dir))


def _data_dir_secret(data_dir: Path) -> str:
    try:
        return data_dir_secret(data_dir, SECRET_FILE)
    except MissingSecret as exc:  # an empty file: the API's own error, same message
        raise MissingJwtSecret(str(exc)) from None
