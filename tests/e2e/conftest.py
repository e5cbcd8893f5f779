"""e2e: the real API on a local port (uvicorn), PostgreSQL behind it, driven over HTTP."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest

from arena.api.app import create_app
from arena.api.auth import mint_token
from arena.api.server import start_in_thread
from arena.bootstrap import Arena, bootstrap
from arena.settings import ArenaSettings

SETTINGS_FOR_TESTS = {"max_body_bytes": 200_000, "max_problem_bytes": 200_000, "max_source_bytes": 50_000,
                      "jwt_secret": secrets.token_urlsafe(32),
                      # the suite acts as a few users at machine speed; test_abuse_limits sets its own
                      "rate_mutations": "1000000/60", "rate_submissions": "1000000/60",
                      "rate_anonymous": "1000000/60", "max_submissions_in_flight": 0}


class ApiClient:
    """A small HTTP client that knows the base path and how to act as a user."""

    def __init__(self, base_url: str, settings: ArenaSettings) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.settings = settings

    def headers(self, user: str | None, role: str = "player", **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if user is not None:
            headers["Authorization"] = f"Bearer {mint_token(self.settings, user, role)}"
        return headers

    def request(self, method: str, path: str, user: str | None = None, role: str = "player",
                headers: dict[str, str] | None = None, **kwargs) -> httpx.Response:
        url = path if path.startswith(("/health", "/ready", "/schema", "/asyncapi", "/metrics")) \
            else f"/api/v2{path}"
        return self.http.request(method, url, headers={**self.headers(user, role), **(headers or {})}, **kwargs)

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture(scope="session")
def e2e_arena(e2e_postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Arena]:
    settings = ArenaSettings(database_url=e2e_postgres_url, data_dir=tmp_path_factory.mktemp("e2e-data"),
                             **SETTINGS_FOR_TESTS)
    instance = bootstrap(settings, migrate=True)
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def api(e2e_arena: Arena) -> Iterator[ApiClient]:
    server, base_url = start_in_thread(create_app(e2e_arena))
    client = ApiClient(base_url, e2e_arena.settings)
    yield client
    client.http.close()
    server.should_exit = True
