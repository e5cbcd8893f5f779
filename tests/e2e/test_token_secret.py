"""Where the token secret comes from: never the source; refused outside the embedded default when
unset; one generated secret per data dir in the embedded default, shared by `arena token`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from litestar.testing import TestClient

import arena
from arena.api.app import create_app
from arena.api.secret import SECRET_FILE
from arena.bootstrap import bootstrap
from arena.settings import ArenaSettings

RABBIT = "amqp://guest:guest@127.0.0.1:5672/"


def arena_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ARENA_")}
    return subprocess.run([sys.executable, "-m", "arena.cli", *args], env=clean | env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("outside", ["database", "broker"])
def test_server_refuses_to_start_without_a_secret_outside_the_embedded_default(
        outside: str, e2e_postgres_url: str, tmp_path: Path) -> None:
    env = {"ARENA_DATA_DIR": str(tmp_path)}
    env |= {"ARENA_DATABASE_URL": e2e_postgres_url} if outside == "database" else {"ARENA_BROKER_URL": RABBIT}

    done = arena_cli("serve", "--port", "1", env=env)

    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "ARENA_JWT_SECRET" in done.stderr
    assert not (tmp_path / SECRET_FILE).exists()  # no secret was made up for it either


def test_a_jwks_url_alone_is_enough_outside_the_embedded_default(e2e_postgres_url: str) -> None:
    settings = ArenaSettings(database_url=e2e_postgres_url, jwt_jwks_url="http://127.0.0.1:9/jwks")

    from arena.api.secret import check_token_settings, hs256_secret

    check_token_settings(settings)
    assert hs256_secret(settings) is None


def test_no_secret_is_written_in_the_source() -> None:
    source = Path(arena.__file__).parent
    texts = [path.read_text() for path in source.rglob("*.py")]

    assert ArenaSettings().jwt_secret is None
    assert not any("arena-local-development-secret" in text for text in texts)


def test_embedded_default_generates_one_secret_per_data_dir(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"

    first = arena_cli("token", "ada", "--role", "admin", env={"ARENA_DATA_DIR": str(one)})
    again = arena_cli("token", "ada", env={"ARENA_DATA_DIR": str(one)})
    other = arena_cli("token", "ada", env={"ARENA_DATA_DIR": str(two)})

    assert first.returncode == again.returncode == other.returncode == 0, first.stderr
    secret_file = one / SECRET_FILE
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) >= 32
    for minted in (first, again):  # created once, reused
        assert jwt.decode(minted.stdout.strip(), secret, algorithms=["HS256"], audience="arena-api")
    assert (two / SECRET_FILE).read_text().strip() != secret
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(other.stdout.strip(), secret, algorithms=["HS256"], audience="arena-api")

    # the server on data dir one accepts what `arena token` minted there, and not dir two's
    embedded = bootstrap(ArenaSettings(data_dir=one), judge=False, timers=False)
    try:
        with TestClient(create_app(embedded)) as client:
            mine = client.get("/api/v2/battles", headers={"Authorization": f"Bearer {first.stdout.strip()}"})
            theirs = client.get("/api/v2/battles", headers={"Authorization": f"Bearer {other.stdout.strip()}"})
    finally:
        embedded.close()
    assert mine.status_code == 200, mine.text
    assert theirs.status_code == 401
    assert secret_file.read_text().strip() == secret


@pytest.mark.parametrize("role", ["player", "admin", "auditor", "superadmin"])
def test_token_command_mints_each_of_the_four_roles(role: str, tmp_path: Path) -> None:
    done = arena_cli("token", "ada", "--role", role, env={"ARENA_JWT_SECRET": "s" * 32})

    assert done.returncode == 0, done.stderr
    claims = jwt.decode(done.stdout.strip(), "s" * 32, algorithms=["HS256"], audience="arena-api")
    assert claims["role"] == role and claims["sub"] == "ada"


def test_token_command_refuses_to_mint_outside_the_embedded_default_without_a_secret(tmp_path) -> None:
    done = arena_cli("token", "ada", env={"ARENA_BROKER_URL": RABBIT, "ARENA_DATA_DIR": str(tmp_path)})

    assert done.returncode == 2
    assert "ARENA_JWT_SECRET" in done.stderr and "Traceback" not in done.stderr
