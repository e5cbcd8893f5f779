"""Bearer tokens: HS256 with our secret, or RS256/ES256 with the keys an issuer publishes as a
JWKS. Issuer, audience, expiry and not-before are checked on both paths.

The token's header picks the path, and each path accepts only its own algorithms with its own
keys, so a token can never be checked as an HMAC keyed with someone's public key (algorithm
confusion) and `alg: none` is never accepted.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from anyio import to_thread
from litestar.exceptions import HTTPException, NotAuthorizedException

from arena.api.secret import MissingJwtSecret, hs256_secret
from arena.api.token_cache import VerifiedTokens
from arena.settings import ArenaSettings

HS_ALGORITHMS = ("HS256",)
JWKS_ALGORITHMS = ("RS256", "ES256")
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
JWKS_FETCH_TIMEOUT_S = 5.0  # a fetch holds a worker thread; the issuer being slow must not hang us

_REASONS: list[tuple[type[Exception], str]] = [  # most specific first
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet (nbf is in the future)"),
    (jwt.InvalidAudienceError, "the token is meant for another audience"),
    (jwt.InvalidIssuerError, "the token comes from an issuer this API does not trust"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim (exp, iss, aud, sub)"),
]


class TokenVerifier:
    def __init__(self, settings: ArenaSettings) -> None:
        self.secret = hs256_secret(settings)
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.leeway = settings.jwt_leeway_s
        self.jwks = jwt.PyJWKClient(
            settings.jwt_jwks_url, lifespan=settings.jwks_cache_s,
            cooldown_duration=settings.jwks_refetch_s, timeout=JWKS_FETCH_TIMEOUT_S,
        ) if settings.jwt_jwks_url else None
        self.verified = VerifiedTokens(self.leeway)

    async def claims(self, encoded: str) -> dict[str, Any]:
        """The verified claims, or NotAuthorizedException saying what is wrong with the token."""
        claims = self.verified.get(encoded)
        if claims is None:
            claims = await self._verify(encoded)
            self.verified.put(encoded, claims)
        return claims

    async def _verify(self, encoded: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(encoded)
        except jwt.InvalidTokenError:
            raise NotAuthorizedException("the bearer token is not a JWT") from None
        algorithm = header.get("alg")
        if algorithm in HS_ALGORITHMS and self.secret:
            key: Any = self.secret
        elif algorithm in JWKS_ALGORITHMS and self.jwks:
            key = await self._issuer_key(header.get("kid"), algorithm)
        else:
            raise NotAuthorizedException(f"tokens signed with {algorithm!r} are not accepted here")
        try:
            return jwt.decode(encoded, key, algorithms=[algorithm], issuer=self.issuer,
                              audience=self.audience, leeway=self.leeway,
                              options={"require": REQUIRED_CLAIMS})
        except jwt.InvalidTokenError as exc:
            reason = next((text for kind, text in _REASONS if isinstance(exc, kind)), "the token is invalid")
            raise NotAuthorizedException(reason) from None

    async def _issuer_key(self, kid: Any, algorithm: str) -> jwt.PyJWK:
        if not isinstance(kid, str) or not kid:
            raise NotAuthorizedException("the token names no key (kid)")
        assert self.jwks is not None
        key = self._cached_key(kid)
        if key is None:
            # Off the event loop: PyJWKClient fetches with blocking urllib, and refetches for an
            # unknown kid at most once per ARENA_JWKS_REFETCH_S (its cooldown).
            try:
                key = await to_thread.run_sync(self.jwks.get_signing_key, kid)
            except jwt.PyJWKClientConnectionError:
                raise HTTPException(status_code=503, detail="the token issuer's key set is unreachable",
                                    headers={"Retry-After": "5"}) from None
            except jwt.PyJWKClientError:
                raise NotAuthorizedException("the token's key (kid) is not in the issuer's key set") from None
        if key.algorithm_name != algorithm:
            raise NotAuthorizedException("the token's algorithm does not match its key")
        return key

    def _cached_key(self, kid: str) -> jwt.PyJWK | None:
        """The key from a fresh cached set, with no I/O: the common case, kept on the loop."""
        cached = self.jwks.jwk_set_cache.get() if self.jwks and self.jwks.jwk_set_cache else None
        return next((key for key in cached.keys if key.key_id == kid), None) if cached else None


def mint_token(settings: ArenaSettings, user_id: str, role: str, ttl_s: int | None = None) -> str:
    """An HS256 token with our secret (the embedded default's, or ARENA_JWT_SECRET)."""
    secret = hs256_secret(settings)
    if secret is None:
        raise MissingJwtSecret("ARENA_JWT_SECRET is not set: with only ARENA_JWT_JWKS_URL, "
                               "tokens come from that issuer, not from arena")
    now = datetime.now(timezone.utc)
    claims = {"sub": user_id, "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "iat": now,
              "exp": now + timedelta(seconds=ttl_s or settings.token_ttl_s), "role": role}
    return jwt.encode(claims, secret, algorithm="HS256")
