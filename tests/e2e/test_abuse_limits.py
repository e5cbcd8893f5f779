"""Abuse limits over HTTP, against the real Redis: per-user rates on submissions and on every
mutating route, a per-user cap on submissions in flight, per-IP rates on anonymous routes, all
shared between API processes, and a limiter that lets requests through when Redis is down."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import redis
from prometheus_client import REGISTRY

from arena.api.app import create_app
from arena.limits import in_flight_key
from arena.limits.redis_store import RedisLimiter
from arena.limits.rules import ip_key
from arena.api.server import start_in_thread
from arena.bootstrap import bootstrap
from arena.limits import limiter_from_settings
from arena.settings import ArenaSettings
from helpers import assert_problem_details, make_running_battle, submit, unique

REDIS_URL = "redis://127.0.0.1:6379/0"
GENEROUS = {"rate_mutations": "1000/60", "rate_submissions": "1000/60", "rate_anonymous": "1000/60",
            "max_submissions_in_flight": 0, "redis_url": REDIS_URL}


@pytest.fixture()
def start_api(e2e_arena, api) -> Iterator[Callable[..., Any]]:
    """Starts an API (its own limiter, its own event loop) on the shared store, with given limits."""
    with ExitStack() as stack:
        def start(**limits) -> Any:
            settings = e2e_arena.settings.model_copy(update={**GENEROUS, **limits})
            limiter = limiter_from_settings(settings)  # as bootstrap builds it, from these settings
            stack.callback(limiter.close_sync)
            server, base_url = start_in_thread(create_app(dataclasses.replace(e2e_arena, settings=settings,
                                                                              limiter=limiter)))
            client = type(api)(base_url, settings)  # conftest's ApiClient
            stack.callback(setattr, server, "should_exit", True)
            stack.callback(client.http.close)
            return client

        yield start


def assert_too_many(response, limit: str, max_retry_after: int) -> dict:
    body = assert_problem_details(response, 429)
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= max_retry_after
    assert body["limit"] == limit and body["retry_after_s"] == retry_after
    return body


def test_flood_of_submissions_from_one_player_gets_429_with_retry_after(start_api) -> None:
    api = start_api(rate_submissions="3/60")
    ada, grace = unique("ada"), unique("grace")
    battle = make_running_battle(api, players=(ada, grace))

    statuses = [submit(api, battle, player=ada).status_code for _ in range(3)]
    flood = submit(api, battle, player=ada)

    assert statuses == [202, 202, 202]
    assert_too_many(flood, "submissions", max_retry_after=20)  # one more every 60/3 s
    # per user id, not per token: a fresh token for the same player is refused too
    fresh = api.post(f"{battle.path}/submissions", headers={"Authorization": "Bearer " + _token(api, ada, 600)},
                     json={"problem": battle.problems[0], "language": "python", "source": "print(3)"})
    assert_too_many(fresh, "submissions", max_retry_after=20)
    assert submit(api, battle, player=grace).status_code == 202  # another player is not held back


def test_every_mutating_route_is_limited_per_user_and_reads_are_not(start_api) -> None:
    api = start_api(rate_mutations="2/60")
    admin = unique("admin")

    created = [api.post("/battles", user=admin, role="admin", json={"title": unique("t")}) for _ in range(2)]
    refused = api.patch(f"/battles/{created[0].json()['id']}", user=admin, role="admin", json={"title": "x"})

    assert [response.status_code for response in created] == [201, 201]
    assert_too_many(refused, "mutations", max_retry_after=30)
    assert api.get(f"/battles/{created[0].json()['id']}", user=admin).json()["title"] != "x"
    assert api.get("/battles", user=admin).status_code == 200


def test_reads_recomputed_from_the_event_store_have_a_rate_of_their_own(start_api) -> None:
    """Review finding: a scoreboard `?at=` or results.csv folds every event of the battle (seconds
    for a big one) and was not limited at all, so one player could keep the API's threads busy."""
    api = start_api(rate_replays="2/60")
    ada = unique("ada")
    battle = make_running_battle(api, players=(ada,))
    history = f"{battle.path}/scoreboard?at=999999999"  # a log position past every event

    replayed = [api.get(history, user=ada).status_code for _ in range(2)]
    refused = api.get(history, user=ada)

    assert replayed == [200, 200]
    assert_too_many(refused, "replays", max_retry_after=30)
    assert api.get(f"{battle.path}/scoreboard", user=ada).status_code == 200  # the live board is a read model
    assert api.get(f"{battle.path}/results.csv", user=battle.admin, role="admin").status_code == 200  # its own user


def test_submissions_in_flight_are_capped_until_a_verdict_releases_one(start_api) -> None:
    api = start_api(max_submissions_in_flight=2, rate_mutations="1000/60")
    ada = unique("ada")
    battle = make_running_battle(api, players=(ada,))

    refused_early = submit(api, battle, player=ada, language="cobol")  # refused: holds no slot
    accepted = [submit(api, battle, player=ada) for _ in range(2)]
    capped = submit(api, battle, player=ada)

    assert refused_early.status_code == 409
    assert [response.status_code for response in accepted] == [202, 202]
    assert_too_many(capped, "in_flight", max_retry_after=5)
    # what the verdict handler in another process (`arena worker`) does, on the same store
    recorder = RedisLimiter.from_url(REDIS_URL)
    asyncio.run(_release_and_close(recorder, in_flight_key(ada), accepted[0].json()["id"]))
    assert submit(api, battle, player=ada).status_code == 202
    assert submit(api, battle, player=ada).status_code == 429


def test_an_idempotent_replay_of_a_submission_takes_no_second_slot(start_api) -> None:
    api = start_api(max_submissions_in_flight=2, rate_mutations="1000/60")
    ada = unique("ada")
    battle = make_running_battle(api, players=(ada,))
    body = {"problem": battle.problems[0], "language": "python", "source": "print(1)"}
    once = {"Idempotency-Key": unique("key")}

    first = api.post(f"{battle.path}/submissions", user=ada, json=body, headers=once)
    replayed = api.post(f"{battle.path}/submissions", user=ada, json=body, headers=once)

    assert (first.status_code, replayed.status_code) == (202, 202)
    assert replayed.headers.get("idempotent-replayed") == "true"
    assert submit(api, battle, player=ada).status_code == 202  # the second slot was still free
    assert submit(api, battle, player=ada).status_code == 429


def test_on_the_embedded_default_judged_submissions_free_their_slots(api, tmp_path: Path) -> None:
    """No Redis, no broker: the API's in-process limiter is the one the embedded bus's verdict
    handler releases, so a third submission is accepted as soon as two are judged, long before
    their reservations would expire."""
    settings = ArenaSettings(data_dir=tmp_path, jwt_secret=secrets.token_urlsafe(32),
                             max_submissions_in_flight=2, submission_in_flight_s=3600,
                             rate_mutations="1000/60", rate_submissions="1000/60", rate_anonymous="1000/60")
    arena = bootstrap(settings)
    server, base_url = start_in_thread(create_app(arena))
    api = type(api)(base_url, settings)  # conftest's ApiClient, on this embedded server
    try:
        ada = unique("ada")
        battle = make_running_battle(api, players=(ada,))
        first, second = submit(api, battle, player=ada), submit(api, battle, player=ada)
        assert (first.status_code, second.status_code) == (202, 202)
        for response in (first, second):
            _wait_until_judged(api, ada, response.json()["id"])

        third = submit(api, battle, player=ada)

        assert third.status_code == 202, third.text
    finally:
        api.http.close()
        server.should_exit = True
        arena.close()


def _wait_until_judged(api, user: str, submission_id: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if api.get(f"/submissions/{submission_id}", user=user).json().get("status") == "judged":
            return
        time.sleep(0.05)
    raise AssertionError(f"submission {submission_id} was not judged within {timeout_s} s")


@pytest.mark.parametrize("store", ["in-process", "redis"])
def test_anonymous_routes_are_limited_per_address(start_api, store: str) -> None:
    redis.Redis.from_url(REDIS_URL).delete(ip_key("127.0.0.1"))
    api = start_api(rate_anonymous="3/60", redis_url=REDIS_URL if store == "redis" else None)

    statuses = [api.get("/health").status_code for _ in range(3)]
    flood = api.get("/ready")

    assert statuses == [200, 200, 200]
    assert_too_many(flood, "anonymous", max_retry_after=20)
    assert api.get("/battles", user=unique("ada")).status_code == 200  # a user is limited as a user
    redis.Redis.from_url(REDIS_URL).delete(ip_key("127.0.0.1"))


def test_limits_are_shared_between_two_api_processes(start_api) -> None:
    one, two = start_api(rate_mutations="4/60"), start_api(rate_mutations="4/60")
    admin = unique("admin")

    statuses = [(one if i % 2 else two).post("/battles", user=admin, role="admin", json={"title": f"b{i}"})
                .status_code for i in range(6)]

    assert statuses == [201, 201, 201, 201, 429, 429]  # 4 in all, not 4 per process


def test_separate_in_process_limiters_do_not_share(start_api) -> None:
    """The control for the test above: the embedded default's limiter is per process."""
    one, two = start_api(rate_mutations="2/60", redis_url=None), start_api(rate_mutations="2/60", redis_url=None)
    admin = unique("admin")

    statuses = [(one if i % 2 else two).post("/battles", user=admin, role="admin", json={"title": f"b{i}"})
                .status_code for i in range(4)]

    assert statuses == [201, 201, 201, 201]


def test_limiter_fails_open_when_redis_is_down(start_api) -> None:
    api = start_api(rate_mutations="1/60", redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    errors_before = store_errors()
    admin = unique("admin")

    statuses = [api.post("/battles", user=admin, role="admin", json={"title": unique("t")}).status_code
                for _ in range(3)]

    assert statuses == [201, 201, 201]
    assert store_errors() >= errors_before + 3


def store_errors() -> float:
    return REGISTRY.get_sample_value("arena_rate_limit_store_errors_total") or 0.0


def _token(api, user: str, ttl_s: int) -> str:
    from arena.api.auth import mint_token

    return mint_token(api.settings, user, "player", ttl_s)


async def _release_and_close(limiter: RedisLimiter, key: str, submission_id: str) -> None:
    limiter.release_sync(key, submission_id)
    await limiter.close()
    limiter.close_sync()
