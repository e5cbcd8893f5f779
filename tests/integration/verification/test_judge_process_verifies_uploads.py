"""Issue 15, item 2, in the production topology: the API (with a broker, no judge of its own)
stores an uploaded package and answers that its verification is pending; `arena judge`, a
separate process with the sandbox, picks the requests up from PostgreSQL, even those made while
no judge ran, judges the package's submissions and records each report."""

from __future__ import annotations


import httpx
import pytest

from arena.api.app import create_app
from arena.api.auth import mint_token
from arena.api.server import start_in_thread
from arena.application.battles import ProblemNotVerified
from arena.bootstrap import Arena
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from outages import Outages, eventually
from sum_packages import SUM, sum_package

SLOW_SUM = ("import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.3:\n    pass\n"
            + SUM)  # ~0.3 s of CPU x the legacy multiplier 5: a 2 s limit


def package(slug: str, limits: str, **submissions: str) -> bytes:
    return sum_package(slug, f"name: Sum {slug}\n{limits}", **submissions)


def test_arena_judge_verifies_uploaded_packages_even_those_uploaded_before_it_started(
        outages: Outages, arena: Arena) -> None:
    assert arena.judge is None  # the production shape: the API judges nothing itself
    server, root = start_in_thread(create_app(arena))
    admin = {"Authorization": f"Bearer {mint_token(arena.settings, 'root', 'admin')}",
             "Content-Type": "application/zip"}

    def upload(slug: str, limits: str, query: str = "", **submissions: str) -> dict:
        answer = httpx.post(f"{root}/api/v2/problems{query}", headers=admin, timeout=30,
                            content=package(slug, limits, **submissions))
        assert answer.status_code == 201, answer.text
        return answer.json()["verification"]

    def verification(slug: str) -> dict:
        return httpx.get(f"{root}/api/v2/problems/{slug}/verification", headers=admin, timeout=30).json()

    try:
        matching = upload("derived", "", **{"accepted/sum.py": SUM, "accepted/slow.py": SLOW_SUM})
        mislabelled = {"accepted/sum.py": SUM, "wrong_answer/right.py": SUM}
        upload("mismatch", "limits:\n  time_limit: 2\n", **mislabelled)
        upload("forced", "limits:\n  time_limit: 2\n", "?force=true", **mislabelled)
        assert matching["status"] == "pending" and verification("mismatch")["status"] == "pending"

        judge = outages.start("judge")
        done = eventually(lambda: all(verification(slug)["status"] != "pending"
                                      for slug in ("derived", "mismatch", "forced")), timeout=120)
        assert done, judge.log_path.read_text()

        derived = verification("derived")
        assert derived["status"] == "passed" and derived["time_limit_ms"] == 2000, derived
        assert arena.problems.read("derived")[1].time_limit_ms == 2000  # stored with the version
        assert arena.problems.info("derived").sha256 == derived["verified_sha256"]
        failed = verification("mismatch")
        assert failed["status"] == "failed"
        assert [(row["path"], row["got"]) for row in failed["report"]["rows"] if not row["ok"]] == [
            ("submissions/wrong_answer/right.py", "AC")]
        forced = verification("forced")
        assert forced["status"] == "passed" and any("right.py" in w for w in forced["report"]["warnings"])

        battle_id = arena.app.create_battle("admin", BattleSettings(title="t", languages=("python",)))
        arena.app.attach_problem(battle_id, "mismatch", by=Admin("admin"))
        with pytest.raises(ProblemNotVerified, match="problem 'mismatch'.*failed"):
            arena.app.open_lobby(battle_id, by=Admin("admin"))
        arena.app.detach_problem(battle_id, "mismatch", by=Admin("admin"))
        for slug in ("derived", "forced"):
            arena.app.attach_problem(battle_id, slug, by=Admin("admin"))
        arena.app.open_lobby(battle_id, by=Admin("admin"))
    finally:
        server.should_exit = True
