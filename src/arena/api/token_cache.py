"""Verified tokens, remembered briefly: a client sends the same token on every request, and
verifying it again (base64, JSON, HMAC or RSA, five claim checks) was a tenth of an
authenticated request's CPU.

Keyed by the whole encoded token, not only its signature: a token whose payload was changed
under a copied signature is a different key, and is verified (and refused) as such. An entry
lives until the token's own exp (plus the leeway the verifier allows) or TTL_S, whichever comes
first, so an expired token is never accepted from here; TTL_S also bounds how long a JWKS key
the issuer withdrew goes on being trusted for tokens it already signed. Bounded: the least
recently used entry goes first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

MAX_TOKENS = 10_000
TTL_S = 60.0


class VerifiedTokens:
    def __init__(self, leeway_s: float, maxsize: int = MAX_TOKENS, clock=time.time) -> None:
        self.leeway_s = leeway_s
        self.maxsize = maxsize
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def get(self, encoded: str) -> dict[str, Any] | None:
        entry = self._entries.get(encoded)
        if entry is None:
            return None
        until, claims = entry
        if self.clock() >= until:
            del self._entries[encoded]
            return None
        self._entries.move_to_end(encoded)
        return claims

    def put(self, encoded: str, claims: dict[str, Any]) -> None:
        now = self.clock()
        until = min(float(claims["exp"]) + self.leeway_s, now + TTL_S)
        if until <= now:
            return
        self._entries[encoded] = (until, claims)
        self._entries.move_to_end(encoded)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
