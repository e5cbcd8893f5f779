"""ArenaApplication: the verbs of every aggregate over one eventsourcing Application.

One Application, not one per aggregate: a verb that changes several aggregates (join changes
the battle and creates the room player) saves them in one atomic append.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from arena.application.battles import BattleVerbs, ProblemCatalog
from arena.application.machinery import utc_now
from arena.application.room import RoomVerbs
from arena.application.submissions import SubmissionVerbs


class ArenaApplication(BattleVerbs, RoomVerbs, SubmissionVerbs):
    # eventsourcing names each subclass after itself unless told; the name picks the tables
    # (arena_events) and the prefix of its environment variables (ARENA_POSTGRES_POOL_SIZE).
    name = "Arena"

    def __init__(self, env: dict[str, str] | None = None, *, problems: ProblemCatalog,
                 languages: Callable[[], frozenset[str]] = lambda: frozenset(),
                 clock: Callable[[], datetime] = utc_now,
                 on_saved: Callable[[], None] | None = None, group_commit: bool = True) -> None:
        super().__init__(env, clock=clock, on_saved=on_saved, group_commit=group_commit)
        self.problems = problems
        self.languages = languages
