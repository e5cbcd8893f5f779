"""The verified-token cache never outlives a token's exp, and stays bounded."""

from __future__ import annotations

from arena.api.token_cache import TTL_S, VerifiedTokens


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_verified_token_is_remembered_until_its_exp_plus_the_leeway() -> None:
    clock = Clock()
    tokens = VerifiedTokens(leeway_s=30, clock=clock)
    tokens.put("t", {"sub": "ada", "exp": clock.now + 10})
    clock.now += 39
    assert tokens.get("t") == {"sub": "ada", "exp": clock.now - 29}
    clock.now += 1
    assert tokens.get("t") is None


def test_a_long_lived_token_is_verified_again_after_the_cache_s_own_ttl() -> None:
    clock = Clock()
    tokens = VerifiedTokens(leeway_s=0, clock=clock)
    tokens.put("t", {"sub": "ada", "exp": clock.now + 3600})
    clock.now += TTL_S
    assert tokens.get("t") is None


def test_the_least_recently_used_token_goes_first_when_full() -> None:
    clock = Clock()
    tokens = VerifiedTokens(leeway_s=0, maxsize=2, clock=clock)
    for name in ("a", "b"):
        tokens.put(name, {"sub": name, "exp": clock.now + 60})
    tokens.get("a")
    tokens.put("c", {"sub": "c", "exp": clock.now + 60})
    assert (tokens.get("a"), tokens.get("b")) == ({"sub": "a", "exp": clock.now + 60}, None)


def test_a_changed_payload_under_the_same_signature_is_not_found() -> None:
    clock = Clock()
    tokens = VerifiedTokens(leeway_s=0, clock=clock)
    tokens.put("h.payload.sig", {"sub": "ada", "exp": clock.now + 60})
    assert tokens.get("h.forged.sig") is None
