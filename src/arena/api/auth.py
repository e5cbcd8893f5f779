"""Bearer JWT (HS256): issuer, audience and expiry checked; roles player and admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.security.jwt import JWTAuth, Token

from arena.settings import ArenaSettings

Role = Literal["player", "admin"]
# Litestar joins these into one regex and searches the path with it, so each is anchored at
# both ends: unanchored, "/health" also opened /api/v2/problems/health-check to anyone.
PUBLIC_PATHS = [r"^/health$", r"^/ready$", r"^/metrics$", r"^/schema(?:/.*)?$"]


@dataclass(frozen=True)
class User:
    id: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


async def _user_from_token(token: Token, _connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    role = token.extras.get("role")
    if role not in ("player", "admin"):
        raise NotAuthorizedException("the token carries no valid role")
    return User(id=token.sub, role=role)


def jwt_auth(settings: ArenaSettings) -> JWTAuth[User]:
    return JWTAuth[User](
        retrieve_user_handler=_user_from_token,
        token_secret=settings.jwt_secret,
        algorithm="HS256",
        accepted_issuers=[settings.jwt_issuer],
        accepted_audiences=[settings.jwt_audience],
        require_claims=["exp", "iss", "aud", "sub"],
        exclude=PUBLIC_PATHS,
    )


def mint_token(settings: ArenaSettings, user_id: str, role: Role, ttl_s: int | None = None) -> str:
    now = datetime.now(timezone.utc)
    token = Token(
        sub=user_id, iss=settings.jwt_issuer, aud=settings.jwt_audience, iat=now,
        exp=now + timedelta(seconds=ttl_s or settings.token_ttl_s), extras={"role": role},
    )
    return token.encode(secret=settings.jwt_secret, algorithm="HS256")


def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not connection.user.is_admin:
        raise PermissionDeniedException("this action needs the admin role")
