"""A battle script for the read-model tests: the real application on PostgreSQL, with a clock
the test moves and no judge (the tests record the verdicts they want, in the order they want)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event
from arena.bootstrap import Arena, bootstrap
from arena.bus.envelope import EventEnvelope
from arena.domain.acting import Admin
from arena.projections import shadow
from arena.projections.base import deliver
from arena.projections.registry import registry
from arena.domain.settings import BattleSettings
from arena.settings import ArenaSettings


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def arena(pg_settings: ArenaSettings, clock: Clock) -> Iterator[Arena]:
    """Overrides the shared fixture: our clock, no judge, no timers (nothing ends or leaves by
    itself while a test moves the clock)."""
    settings = pg_settings.model_copy(update={"leave_after": 10**7})
    instance = bootstrap(settings, clock=clock, migrate=True, judge=False, timers=False)
    # The 10k-event tests commit thousands of times; on a throwaway database waiting for the WAL
    # flush of each buys nothing.
    event.listen(instance.engine, "connect", _no_synchronous_commit)
    instance.engine.dispose()
    yield instance
    instance.close()


def _no_synchronous_commit(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    dbapi_connection.commit()


def problem_document(slug: str, points: int) -> bytes:
    return (f"---\ntitle: {slug}\nslug: {slug}\npoints: {points}\n"
            "samples:\n  - {input: '1 2', output: '3'}\n---\nAdd.\n").encode()


@dataclass
class BattleScript:
    arena: Arena
    clock: Clock
    battle_id: uuid.UUID
    slugs: dict[str, str]  # short name -> unique slug
    submissions: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (user, id)

    def submit(self, user: str, problem: str, label: str) -> str:
        submission_id = self.arena.app.submit(self.battle_id, user, self.slugs[problem], "python", "print(3)")
        self.submissions[label] = (user, submission_id)
        return submission_id

    def verdict(self, label: str, verdict: str) -> None:
        user, submission_id = self.submissions[label]
        player = self.arena.app.get_room_player(self.battle_id, user)
        self.arena.app.record_verdict(player.id, submission_id, verdict, {})


def start_battle(arena: Arena, clock: Clock, players: list[str], scoring: str = "icpc",
                 problems: dict[str, int] | None = None) -> BattleScript:
    problems = problems or {"a": 100, "b": 200}
    tag = uuid.uuid4().hex[:8]
    slugs = {name: f"{name}-{tag}" for name in problems}
    for name, points in problems.items():
        arena.problems.upload(problem_document(slugs[name], points))
    battle_id = arena.app.create_battle(
        "admin", BattleSettings(title="t", scoring=scoring, duration_s=6 * 3600, max_players=50))
    for slug in slugs.values():
        arena.app.attach_problem(battle_id, slug, by=Admin("admin"))
    arena.app.open_lobby(battle_id, by=Admin("admin"))
    for player in players:
        arena.app.join(battle_id, player)
    arena.app.start_battle(battle_id, by=Admin("admin"))
    return BattleScript(arena, clock, battle_id, slugs)


def redeliver_shuffled(arena: Arena, name: str, seed: int, battle_id) -> str:
    """Delivers every event of the battle (its own and its room players') twice, shuffled across
    aggregates, into a shadow copy of projection `name` (own tables, own tracking name); returns
    the shadow's suffix. Only this battle's events: the session's log holds other tests' too."""
    suffix = f"__redeliver{seed}"
    entry = registry()[name]
    projection = entry.build(suffix)
    with arena.engine.begin() as conn:
        shadow.create(conn, entry.tables, suffix)
    events = battle_envelopes(arena, battle_id)
    twice = events + events
    random.Random(seed).shuffle(twice)
    for each in twice:
        deliver(arena.engine, projection, each, arena.bus.fetch)
    return suffix


def battle_envelopes(arena: Arena, battle_id) -> list[EventEnvelope]:
    aggregates = [battle_id, *(player.id for player in arena.app.room(battle_id))]
    return [event for aggregate in aggregates for event in arena.bus.fetch(aggregate, 0, 2**31 - 1)]


def drop_shadow(arena: Arena, name: str, suffix: str) -> None:
    with arena.engine.begin() as conn:
        shadow.drop(conn, registry()[name].tables, suffix)
