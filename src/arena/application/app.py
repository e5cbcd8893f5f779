"""ArenaApplication: the verbs of every aggregate over one eventsourcing Application.

One Application, not one per aggregate: a verb that changes several aggregates (join changes
the battle and creates the room player) saves them in one atomic append.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar

from arena.application.battles import BattleVerbs, ProblemCatalog
from arena.application.machinery import utc_now
from arena.application.rejudging import RejudgeVerbs
from arena.application.room import RoomVerbs
from arena.application.settlement import FactsOf, SettlementVerbs
from arena.application.submissions import SubmissionVerbs
from arena.domain.battle import Battle
from arena.domain.room_player import RoomPlayer, room_player_id
from arena.domain.standings import BattleFacts, facts_of_players

SETTLE_WAIT = timedelta(seconds=600)


class ArenaApplication(BattleVerbs, RoomVerbs, SubmissionVerbs, RejudgeVerbs, SettlementVerbs):
    # eventsourcing names each subclass after itself unless told; the name picks the tables
    # (arena_events) and the prefix of its environment variables (ARENA_POSTGRES_POOL_SIZE).
    name = "Arena"
    # A cold load of a battle replays at most this many events after its latest snapshot.
    snapshotting_intervals: ClassVar[dict[type, int]] = {Battle: 2000}

    def __init__(self, env: dict[str, str] | None = None, *, problems: ProblemCatalog,
                 languages: Callable[[], frozenset[str]] = lambda: frozenset(),
                 clock: Callable[[], datetime] = utc_now,
                 on_saved: Callable[[], None] | None = None, group_commit: bool = True,
                 facts_of: FactsOf | None = None, settle_wait: timedelta = SETTLE_WAIT) -> None:
        super().__init__(env, clock=clock, on_saved=on_saved, group_commit=group_commit)
        self.problems = problems
        self.languages = languages
        # PostgreSQL gets a bulk reader of the log (bootstrap); anywhere else the room players
        # are read one by one, which is exact and fast enough for small battles.
        self.facts_of = facts_of or self._facts_from_room
        self.settle_wait = settle_wait

    def _facts_from_room(self, battle: Battle) -> BattleFacts:
        players = [self._get(room_player_id(battle.id, user), RoomPlayer, "room player")
                   for user in battle.players]
        return facts_of_players(battle.ended_at, battle.players, players)
