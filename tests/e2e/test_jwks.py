"""Tokens signed by an outside issuer (RS256/ES256), checked against the JWKS it publishes on a
local HTTP server: accepted, rotated keys fetched (at most once per cool-down), and every kind of
bad token refused with a 401 problem-details body."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from arena.api.app import create_app
from arena.api.server import start_in_thread
from helpers import assert_problem_details, unique

REFETCH_S = 1.0


class Issuer:
    """An identity provider in miniature: signing keys, and their public halves as a JWKS."""

    def __init__(self) -> None:
        self.private: dict[str, Any] = {}
        self.published: list[dict[str, Any]] = []
        self.fetches = 0

    def add_key(self, kind: str = "RS256") -> str:
        kid = unique(kind.lower())
        if kind == "RS256":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        else:
            key = ec.generate_private_key(ec.SECP256R1())
            jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
        self.private[kid] = (kind, key)
        self.published.append({**jwk, "kid": kid, "alg": kind, "use": "sig"})
        return kid

    def token(self, kid: str, sub: str = "", role: str = "player", signer: str | None = None,
              **overrides: Any) -> str:
        now = datetime.now(timezone.utc)
        claims = {"sub": sub or unique("sso"), "iss": "arena", "aud": "arena-api", "role": role,
                  "iat": now, "exp": now + timedelta(minutes=5), **overrides}
        kind, key = self.private[signer or kid]
        return jwt.encode(claims, key, algorithm=kind, headers={"kid": kid})


@pytest.fixture()
def issuer() -> Iterator[tuple[Issuer, str]]:
    state = Issuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            state.fetches += 1
            body = json.dumps({"keys": state.published}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture()
def sso_api(e2e_arena, issuer) -> Iterator[tuple[httpx.Client, Issuer]]:
    """The API as an operator runs it behind an identity provider: JWKS only, no HS256 secret."""
    state, url = issuer
    settings = e2e_arena.settings.model_copy(update={
        "jwt_secret": None, "jwt_jwks_url": url, "jwks_refetch_s": REFETCH_S})
    server, base_url = start_in_thread(create_app(dataclasses.replace(e2e_arena, settings=settings)))
    with httpx.Client(base_url=f"{base_url}/api/v2", timeout=30) as client:
        yield client, state
    server.should_exit = True


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_jwks_token_is_accepted_and_rotated_keys_are_fetched(sso_api) -> None:
    client, issuer = sso_api
    first = issuer.add_key("RS256")

    assert client.get("/battles", headers=bearer(issuer.token(first))).status_code == 200
    assert client.get("/battles", headers=bearer(issuer.token(first))).status_code == 200
    assert issuer.fetches == 1  # the key set is cached, not fetched per request

    rotated = issuer.add_key("ES256")  # the issuer rotates: a new kid appears in its JWKS
    time.sleep(REFETCH_S + 0.2)  # past the cool-down that the first fetch started
    admin = issuer.token(rotated, role="admin")
    created = client.post("/battles", json={"title": unique("sso")}, headers=bearer(admin))

    assert created.status_code == 201, created.text
    assert issuer.fetches == 2  # one refetch for the unknown kid
    assert client.get("/battles", headers=bearer(issuer.token(first))).status_code == 200


def test_unknown_kids_refetch_the_key_set_at_most_once_per_cool_down(sso_api) -> None:
    client, issuer = sso_api
    issuer.add_key()
    assert client.get("/battles", headers=bearer(issuer.token(issuer.add_key()))).status_code == 200
    fetches = issuer.fetches

    for _ in range(5):  # forged kids, inside the cool-down
        stranger = Issuer()
        response = client.get("/battles", headers=bearer(stranger.token(stranger.add_key())))
        body = assert_problem_details(response, 401)
        assert "kid" in body["detail"]

    assert issuer.fetches == fetches


@pytest.mark.parametrize("case, overrides, detail", [
    ("expired", {"exp": datetime.now(timezone.utc) - timedelta(minutes=5)}, "expired"),
    ("nbf in the future", {"nbf": datetime.now(timezone.utc) + timedelta(minutes=5)}, "not valid yet"),
    ("wrong audience", {"aud": "someone-else"}, "audience"),
    ("wrong issuer", {"iss": "https://evil.example"}, "issuer"),
])
def test_a_jwks_token_with_a_bad_claim_is_unauthorized(sso_api, case, overrides, detail) -> None:
    client, issuer = sso_api
    kid = issuer.add_key()

    body = assert_problem_details(client.get("/battles", headers=bearer(issuer.token(kid, **overrides))), 401)

    assert detail in body["detail"]


def test_a_jwks_token_with_a_bad_signature_is_unauthorized(sso_api) -> None:
    client, issuer = sso_api
    published, other = issuer.add_key(), issuer.add_key()
    forged = issuer.token(published, signer=other)  # names one key, signed by another

    body = assert_problem_details(client.get("/battles", headers=bearer(forged)), 401)

    assert "signature" in body["detail"]


def test_an_hs256_token_is_refused_when_only_the_jwks_issuer_signs(sso_api, issuer) -> None:
    client, state = sso_api
    kid = state.add_key()
    public_pem = state.published[-1]["n"]  # whatever an attacker can read from the JWKS
    confused = jwt.encode({"sub": "mallory", "iss": "arena", "aud": "arena-api", "role": "admin",
                           "exp": datetime.now(timezone.utc) + timedelta(minutes=5)},
                          public_pem, algorithm="HS256", headers={"kid": kid})

    body = assert_problem_details(client.get("/battles", headers=bearer(confused)), 401)

    assert "HS256" in body["detail"]
