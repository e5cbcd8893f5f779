"""Issue 15, item 2, in the embedded default (SQLite, the judge in process): an uploaded package's
verification request is durable (a stop leaves it pending, the next start verifies it), a lobby
refuses its problem meanwhile, and a claim is held for its lease and given up after three tries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from arena.application.battles import ProblemNotVerified
from arena.bootstrap import bootstrap
from arena.domain.acting import Admin
from arena.domain.settings import BattleSettings
from arena.problems.importing import read_problem_zip
from arena.problems.verifications import FAILED, MAX_ATTEMPTS, PASSED, PENDING
from arena.settings import ArenaSettings
from sum_packages import SUM, sum_package

ADMIN = Admin("admin")
WRONG = "a, b = map(int, input().split())\nprint(a + b + 1)\n"


def package(slug: str, time_limit: str, **submissions: str) -> bytes:
    return sum_package(slug, f"name: Sum\nlimits:\n  time_limit: {time_limit}\n", **submissions)




def upload(arena, slug: str, **submissions: str):
    zipped = package(slug, time_limit="1", **submissions)
    return arena.problems.import_package(read_problem_zip(zipped), zipped, verify=True, force=False)


def test_a_request_left_pending_by_a_stop_is_verified_at_the_next_start(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False)  # no judge: it stays pending
    try:
        info, _, record = upload(arena, "sum", **{"accepted/sum.py": SUM, "wrong_answer/off.py": WRONG})
        assert record.status == PENDING
        battle_id = arena.app.create_battle("admin", BattleSettings(title="t", languages=("python",)))
        arena.app.attach_problem(battle_id, "sum", by=ADMIN)
        with pytest.raises(ProblemNotVerified, match="problem 'sum'.*pending"):
            arena.app.open_lobby(battle_id, by=ADMIN)
    finally:
        arena.close()

    arena = bootstrap(ArenaSettings(data_dir=tmp_path))  # the embedded default: its judge drains
    try:
        arena.judge.wait_idle(timeout=120)
        verified = arena.problems.verifications.latest("sum")
        assert verified.status == PASSED, verified.report
        assert [row["got"] for row in verified.report["rows"]] == ["AC", "WA"]
        arena.app.open_lobby(battle_id, by=ADMIN)
        assert arena.app.get_battle(battle_id).status == "lobby"
    finally:
        arena.close()


def test_a_claim_is_held_for_its_lease_and_a_package_is_failed_after_three_tries(tmp_path: Path) -> None:
    arena = bootstrap(ArenaSettings(data_dir=tmp_path), judge=False)
    try:
        info, _, _ = upload(arena, "sum", **{"accepted/sum.py": SUM})
        verifications = arena.problems.verifications

        first = verifications.claim(timedelta(minutes=15))
        assert first is not None and first.attempts == 1
        assert verifications.claim(timedelta(minutes=15)) is None  # held by the first judge
        for attempt in range(2, MAX_ATTEMPTS + 1):  # each judge "died": its lease is over
            assert verifications.claim(timedelta(0)).attempts == attempt
        assert not verifications.finish(first, PASSED, {})  # a stale holder's outcome is dropped
        assert verifications.claim(timedelta(0)) is None
        given_up = verifications.latest("sum")
        assert given_up.status == FAILED and "failed 3 times" in given_up.report["error"]
    finally:
        arena.close()
