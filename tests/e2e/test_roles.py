"""The four roles on real routes: superadmin counts as admin, auditor reads and never writes,
and `auditor_or_admin` (for the settlement and ledger routes) lets auditors and admins in."""

from __future__ import annotations

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from arena.api.auth import User, auditor_or_admin
from helpers import assert_problem_details, make_draft_battle, unique


def test_a_superadmin_may_call_admin_routes(api) -> None:
    created = api.post("/battles", user=unique("super"), role="superadmin", json={"title": unique("t")})

    assert created.status_code == 201, created.text
    assert User("x", "superadmin").is_admin and User("x", "superadmin").is_superadmin
    assert not User("x", "admin").is_superadmin


def test_an_auditor_reads_but_may_not_change_anything(api) -> None:
    auditor = unique("auditor")
    battle = make_draft_battle(api, problems=0)

    assert api.get(battle.path, user=auditor, role="auditor").status_code == 200
    assert_problem_details(api.post("/battles", user=auditor, role="auditor", json={"title": "x"}), 403)
    body = assert_problem_details(api.post(f"{battle.path}/lobby", user=auditor, role="auditor"), 403)
    assert "read-only" in body["detail"]


@pytest.mark.parametrize("role, status", [("auditor", 200), ("admin", 200), ("superadmin", 200),
                                          ("player", 403)])
def test_auditor_or_admin_guard(role: str, status: int) -> None:
    @get("/ledger", guards=[auditor_or_admin], sync_to_thread=False)
    def ledger() -> str:
        return "rows"

    def as_user(app):
        async def middleware(scope, receive, send):
            scope["user"] = User("u", role)
            await app(scope, receive, send)
        return middleware

    with TestClient(Litestar([ledger], middleware=[as_user])) as client:
        assert client.get("/ledger").status_code == status
