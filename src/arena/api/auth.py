"""Who is calling: a Bearer JWT (see tokens.py) becomes a User with one of four roles.

- player: plays battles, reads its own submissions.
- admin: organises battles and problems; runs the battles it created or co-admins
  (Battle.check_admin: another admin's battle is a 403 "not the owner").
- auditor: reads settlements and the ledger, changes nothing (`auditor_or_admin`).
- superadmin: everything an admin may do, on every battle, and whatever is later reserved
  to it (`User.is_superadmin`).
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from typing import Any, Literal, get_args

from litestar.config.app import AppConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.openapi.spec import Components, SecurityScheme

from arena.api.tokens import TokenVerifier, mint_token
from arena.settings import ArenaSettings

Role = Literal["player", "admin", "auditor", "superadmin"]
ROLES: tuple[str, ...] = get_args(Role)
# Each is anchored at both ends: unanchored, "/health" also opened /api/v2/problems/health-check.
PUBLIC_PATHS = [r"^/health$", r"^/ready$", r"^/metrics$", r"^/schema(?:/.*)?$", r"^/asyncapi(?:/live)?$"]
SCHEME = "BearerToken"


@dataclass(frozen=True)
class User:
    id: str
    role: Role

    @property
    def is_superadmin(self) -> bool:
        return self.role == "superadmin"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" or self.is_superadmin

    @property
    def is_auditor(self) -> bool:
        return self.role == "auditor"


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: Any, verifier: TokenVerifier, exclude: list[str]) -> None:
        super().__init__(app, exclude=exclude)
        self.verifier = verifier

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        scheme, _, encoded = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not encoded.strip():
            raise NotAuthorizedException("a Bearer token is required")
        claims = await self.verifier.claims(encoded.strip())
        role = claims.get("role")
        if role not in ROLES:
            raise NotAuthorizedException("the token carries no valid role")
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise NotAuthorizedException("the token's subject is empty")
        return AuthenticationResult(user=User(id=claims["sub"], role=role), auth=claims)


@dataclass(frozen=True)
class BearerAuth:
    """Installs the middleware and tells the OpenAPI document about the scheme."""

    verifier: TokenVerifier

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.middleware.insert(0, DefineMiddleware(
            BearerAuthMiddleware, verifier=self.verifier, exclude=PUBLIC_PATHS))
        if app_config.openapi_config:
            app_config.openapi_config = copy(app_config.openapi_config)  # never the caller's
            scheme = SecurityScheme(type="http", scheme="Bearer", bearer_format="JWT")
            components = app_config.openapi_config.components
            app_config.openapi_config.components = [
                Components(security_schemes={SCHEME: scheme}),
                *(components if isinstance(components, list) else [components])]
            app_config.openapi_config.security = [
                *(app_config.openapi_config.security or []), {SCHEME: []}]
        return app_config


def jwt_auth(settings: ArenaSettings) -> BearerAuth:
    return BearerAuth(TokenVerifier(settings))


# Guards are async although they never wait: Litestar runs a sync guard in a worker thread, and
# auditors_read_only guards every API request (a thread hop was a sixth of a read's CPU).
async def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not connection.user.is_admin:
        raise PermissionDeniedException("this action needs the admin role")


async def auditors_read_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """On the whole API: an auditor's token may read what it may see, and never change anything.
    Reads are let through before the user is looked at: OPTIONS and HEAD carry no token."""
    if connection.scope["method"] in ("GET", "HEAD", "OPTIONS"):
        return
    if connection.user.is_auditor:
        raise PermissionDeniedException("the auditor role is read-only")


async def auditor_or_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Read-only settlement and ledger routes: auditors read them, admins too, players do not."""
    if not (connection.user.is_admin or connection.user.is_auditor):
        raise PermissionDeniedException("this action needs the auditor or admin role")


__all__ = ["PUBLIC_PATHS", "ROLES", "Role", "User", "admin_only", "auditor_or_admin",
           "auditors_read_only", "jwt_auth",
           "mint_token"]
