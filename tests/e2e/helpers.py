"""Small helpers for driving the API over HTTP: unique names, problem documents, battles in a
given state, and the shape every error body must have."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from arena.api.app import create_app
from arena.api.server import start_in_thread
from arena.bootstrap import bootstrap

PROBLEM_JSON = "application/problem+json"
MARKDOWN = {"Content-Type": "text/markdown"}


def unique(prefix: str) -> str:
    """A name no other test of the session uses (they all share one database)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def problem_document(slug: str, title: str = "Sum", points: int = 100,
                     hidden_output: str = "2000000", public: bool = False) -> str:
    return (
        f"---\ntitle: {title}\nslug: {slug}\npoints: {points}\ntime_limit_ms: 2000\n"
        + ("public: true\n" if public else "") +
        "samples:\n  - {input: \"1 2\", output: \"3\"}\n"
        f"tests:\n  - {{input: \"1000000 1000000\", output: \"{hidden_output}\", name: big}}\n"
        "---\n\nRead two integers and print their sum.\n"
    )


def upload_problem(api, admin: str = "root", slug: str | None = None, **fields: Any) -> str:
    slug = slug or unique("sum")
    response = api.post("/problems", user=admin, role="admin", headers=MARKDOWN,
                        content=problem_document(slug, **fields))
    assert response.status_code == 201, response.text
    return slug


@dataclass
class BattleRef:
    id: str
    admin: str
    problems: list[str]
    players: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/battles/{self.id}"


def make_draft_battle(api, admin: str | None = None, problems: int = 1, **settings: Any) -> BattleRef:
    admin = admin or unique("admin")
    slugs = [upload_problem(api, admin) for _ in range(problems)]
    body = {"title": unique("battle"), "languages": ["python", "c"], **settings}
    response = api.post("/battles", user=admin, role="admin", json=body)
    assert response.status_code == 201, response.text
    battle = BattleRef(id=response.json()["id"], admin=admin, problems=slugs)
    for slug in slugs:
        attached = api.post(f"{battle.path}/problems", user=admin, role="admin", json={"slug": slug})
        assert attached.status_code == 200, attached.text
    return battle


def make_lobby_battle(api, players: tuple[str, ...] | None = None, **kwargs: Any) -> BattleRef:
    battle = make_draft_battle(api, **kwargs)
    response = api.post(f"{battle.path}/lobby", user=battle.admin, role="admin")
    assert response.status_code == 200, response.text
    for player in players if players is not None else (unique("ada"),):
        joined = api.post(f"{battle.path}/join", user=player)
        assert joined.status_code == 200, joined.text
        battle.players.append(player)
    return battle


def make_running_battle(api, players: tuple[str, ...] | None = None, **kwargs: Any) -> BattleRef:
    battle = make_lobby_battle(api, players, **kwargs)
    response = api.post(f"{battle.path}/start", user=battle.admin, role="admin")
    assert response.status_code == 200, response.text
    return battle


def make_ended_battle(api, **kwargs: Any) -> BattleRef:
    battle = make_running_battle(api, **kwargs)
    response = api.post(f"{battle.path}/end", user=battle.admin, role="admin")
    assert response.status_code == 200, response.text
    return battle


def submit(api, battle: BattleRef, player: str | None = None, source: str = "print(sum(map(int, input().split())))",
           **overrides: Any) -> httpx.Response:
    player = player or battle.players[0]
    body = {"problem": battle.problems[0], "language": "python", "source": source, **overrides}
    return api.post(f"{battle.path}/submissions", user=player, json=body)


def assert_problem_details(response: httpx.Response, status: int) -> dict[str, Any]:
    """Every error is RFC 9457 problem details whose status is the HTTP status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0].strip() == PROBLEM_JSON
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys(), body
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@contextmanager
def private_api(shared_api, postgres_url: str, data_dir: Path) -> Iterator[Any]:
    """A second API with its own database, for a test whose harm must not reach the shared one."""
    name = f"arena_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    settings = shared_api.settings.model_copy(
        update={"database_url": postgres_url.rsplit("/", 1)[0] + f"/{name}", "data_dir": data_dir})
    arena = bootstrap(settings, migrate=True)
    server, base_url = start_in_thread(create_app(arena))
    client = type(shared_api)(base_url, arena.settings)
    try:
        yield client
    finally:
        client.http.close()
        server.should_exit = True
        arena.close()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def judged_submission(api, battle: BattleRef, player: str, timeout: float = 60) -> str:
    """A submission of `player`'s, once the embedded judge has given its verdict (polled)."""
    response = submit(api, battle, player=player)
    assert response.status_code == 202, response.text
    submission_id = response.json()["id"]
    deadline = time.monotonic() + timeout
    while api.get(f"/submissions/{submission_id}", user=player).json()["status"] != "judged":
        assert time.monotonic() < deadline, "the embedded judge gave no verdict"
        time.sleep(0.1)
    return submission_id
