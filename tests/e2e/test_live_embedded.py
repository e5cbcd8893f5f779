"""The live socket on the embedded default (SQLite, the local bus, the judge in process): the
player sees their verdict and its rejudge's, and closing the socket makes them DISCONNECTED."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx

from arena.api.app import create_app
from arena.api.auth import mint_token
from arena.api.server import start_in_thread
from arena.bootstrap import bootstrap
from arena.settings import ArenaSettings
from helpers import make_running_battle, submit, unique
from test_live_socket import presence_of, receive_until, socket


class Client:
    def __init__(self, base_url: str, settings: ArenaSettings) -> None:
        self.http, self.settings = httpx.Client(base_url=base_url, timeout=30), settings

    def request(self, method: str, path: str, user: str | None = None, role: str = "player", headers=None, **kw):
        auth = {"Authorization": f"Bearer {mint_token(self.settings, user, role)}"} if user else {}
        return self.http.request(method, f"/api/v2{path}", headers={**auth, **(headers or {})}, **kw)

    def get(self, path: str, **kw):
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw):
        return self.request("POST", path, **kw)


def test_the_embedded_default_streams_verdicts_and_presence(tmp_path: Path) -> None:
    settings = ArenaSettings(data_dir=tmp_path, jwt_secret=secrets.token_urlsafe(32), rate_mutations="100000/60",
                             rate_submissions="100000/60", max_submissions_in_flight=0)
    arena = bootstrap(settings)
    server, base_url = start_in_thread(create_app(arena))
    api = Client(base_url, settings)
    try:
        ada = unique("ada")
        battle = make_running_battle(api, players=(ada,))
        with socket(api, battle, ada) as ws:
            receive_until(ws, lambda got: len(got) == 2)
            assert submit(api, battle, ada).status_code == 202
            verdict = receive_until(ws, lambda got: got and got[-1]["type"] == "verdict")[-1]
            assert verdict["verdict"] == "AC" and verdict["rejudge"] == 0
            rejudge = api.post(f"/admin/submissions/{verdict['submission_id']}/rejudge", user=battle.admin, role="admin")
            assert rejudge.status_code == 202, rejudge.text
            again = receive_until(ws, lambda got: got and got[-1]["type"] == "verdict")[-1]
            assert (again["submission_id"], again["verdict"], again["rejudge"]) == (verdict["submission_id"], "AC", 1)
            assert again["position"] > verdict["position"]
        gone = presence_of(api, battle, lambda body: body["count"] == 0)
        assert gone["user_ids"] == []
    finally:
        server.should_exit = True
        arena.close()
